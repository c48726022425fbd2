import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resolver } from "../../lib/dispatch/safe-lookup";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { afterRequestHeaders, closedPort, startRawServer } from "../support/raw-servers";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";

/** A misbehaving receiver for one failure kind, and how to make it answer 200 again. */
interface FailingReceiver {
  url: string;
  restore(): Promise<void>;
  close(): Promise<void>;
}

describe("connection failures", () => {
  const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
  const unresolvable = new Set<string>();
  let healthy: TestReceiver;
  let worker: TestWorker;

  // Stands in for DNS: names in `unresolvable` fail as NXDOMAIN would, every other name is the loopback receiver.
  const resolver: Resolver = async (hostname) => {
    if (unresolvable.has(hostname)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return [{ address: "127.0.0.1", family: 4 }];
  };

  async function misbehaving(mode: "reset" | "close_after_headers"): Promise<FailingReceiver> {
    let restored = false;
    const server = await startRawServer((socket: Socket) =>
      afterRequestHeaders(socket, () => {
        if (restored) return socket.end(OK);
        if (mode === "reset") return socket.resetAndDestroy();
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
        socket.destroy();
      }),
    );
    return {
      url: `http://127.0.0.1:${server.port}/hook`,
      restore: async () => {
        restored = true;
      },
      close: () => server.close(),
    };
  }

  const kinds: Array<{ name: string; errorClass: string; detail: RegExp; start: () => Promise<FailingReceiver> }> = [
    {
      name: "an unresolvable host name",
      errorClass: "dns",
      detail: /could not be resolved \(ENOTFOUND\)/,
      start: async () => {
        unresolvable.add("nonexistent.invalid");
        return {
          url: healthy.url.replace("127.0.0.1", "nonexistent.invalid"),
          restore: async () => void unresolvable.delete("nonexistent.invalid"),
          close: async () => undefined,
        };
      },
    },
    {
      name: "a refused connection",
      errorClass: "refused",
      detail: /refused the connection/,
      start: async () => {
        const port = await closedPort();
        let server: Server | undefined;
        return {
          url: `http://127.0.0.1:${port}/hook`,
          restore: async () => {
            server = createServer((_request, response) => response.writeHead(200).end("ok"));
            await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
          },
          close: async () => {
            server?.closeAllConnections();
            await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
          },
        };
      },
    },
    { name: "a reset after the request", errorClass: "reset", detail: /closed before a complete answer/, start: () => misbehaving("reset") },
    { name: "a close after the headers", errorClass: "reset", detail: /closed before a complete answer/, start: () => misbehaving("close_after_headers") },
  ];

  beforeAll(async () => {
    healthy = await startReceiver();
    worker = await startTestWorker({ clock, http: { resolver } });
  });

  afterAll(async () => {
    await worker.stop();
    await healthy.close();
  });

  it.each(kinds)("retries $name on schedule", async ({ errorClass, detail, start }) => {
    const tenant = await createTenant();
    const receiver = await start();
    try {
      const webhook = await createWebhook(tenant, receiver.url);
      const eventId = await publish(tenant, "finding.created", "fnd_net");
      const failed = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
      const [attempt] = await attemptsOf(failed.id);
      expect(attempt.error_class).toBe(errorClass);
      expect(attempt.error_detail).toMatch(detail);
      expect(attempt.response_status).toBeNull();
      expect(failed.status).toBe("retrying");
      expect(failed.next_attempt_at.getTime() - attempt.started_at.getTime()).toBe(60_000);

      await receiver.restore();
      await clock.setTime(failed.next_attempt_at);
      const done = await waitUntil(() => deliveryRow(failed.id), (row) => row.status === "succeeded");
      expect(done.attempt_count).toBe(2);
      expect(done.last_error_class).toBeNull();
    } finally {
      await receiver.close();
    }
  });
});
