/**
 * Publish-to-receipt latency of the paced measurement: each delivery's first
 * receipt is matched to the event it belongs to, and only events published in
 * the measured window count.
 */
export interface PublishedEventTimes {
  eventId: string;
  // Wall-clock ms when publishEvent was called and when it returned.
  calledAt: number;
  returnedAt: number;
  deliveries: number;
  measured: boolean;
}

export interface Latencies {
  // Milliseconds from the publishEvent call, and from its return, to the first receipt; one entry per matched delivery.
  fromCall: number[];
  fromReturn: number[];
  // Deliveries the measured events created, matched or not.
  measuredDeliveries: number;
}

/** Keeps the earliest receipt time of each delivery id; a retried delivery counts from its first arrival. */
export function firstReceipts(deliveryIds: readonly string[], receivedAt: readonly number[]): Map<string, number> {
  const first = new Map<string, number>();
  deliveryIds.forEach((id, index) => {
    const at = receivedAt[index]!;
    const known = first.get(id);
    if (known === undefined || at < known) first.set(id, at);
  });
  return first;
}

/** Computes the latencies of the deliveries of measured events; deliveries of warm-up events are left out. */
export function measuredLatencies(
  receipts: ReadonlyMap<string, number>,
  eventByDelivery: ReadonlyMap<string, string>,
  events: readonly PublishedEventTimes[],
): Latencies {
  const measured = new Map(events.filter((event) => event.measured).map((event) => [event.eventId, event]));
  const fromCall: number[] = [];
  const fromReturn: number[] = [];
  for (const [deliveryId, receivedAt] of receipts) {
    const event = measured.get(eventByDelivery.get(deliveryId) ?? "");
    if (!event) continue;
    fromCall.push(receivedAt - event.calledAt);
    fromReturn.push(receivedAt - event.returnedAt);
  }
  const measuredDeliveries = [...measured.values()].reduce((sum, event) => sum + event.deliveries, 0);
  return { fromCall, fromReturn, measuredDeliveries };
}
