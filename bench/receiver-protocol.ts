/** Messages between the benchmark and its receiver process (bench/receiver.ts), over Node's IPC channel. */
export type ReceiverCommand =
  // Send "reached" once this many requests have arrived since the last collect.
  | { type: "expect"; count: number }
  // Send every receipt since the last collect, then forget them.
  | { type: "collect" }
  | { type: "stop" };

export type ReceiverEvent =
  | { type: "listening"; port: number }
  | { type: "reached"; count: number; at: number }
  | {
      type: "receipts";
      deliveryIds: string[];
      // Milliseconds since the Unix epoch, one per delivery id.
      receivedAt: number[];
      // Requests without a Wasviking-Signature header.
      unsigned: number;
      // CPU time the receiver used since the last collect, in microseconds.
      cpu: NodeJS.CpuUsage;
    };
