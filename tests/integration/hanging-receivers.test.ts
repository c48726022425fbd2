import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { afterRequestHeaders, hasPython, startBlackhole, startRawServer } from "../support/raw-servers";
import { startReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

// A short deadline stands in for the production 15 s, so each hanging attempt costs under a second.
const DEADLINE_MS = 800;

describe("hanging and trickling receivers", () => {
  let worker: TestWorker;
  const stalledSockets = new Set<Socket>();

  beforeAll(async () => {
    worker = await startTestWorker({
      http: {
        deadlineMs: DEADLINE_MS,
        // A name this resolver is asked about never resolves, as when a DNS server does not answer.
        resolver: (hostname) => (hostname === "silent-dns.test" ? new Promise(() => undefined) : Promise.resolve([{ address: "127.0.0.1", family: 4 }])),
      },
    });
  });

  afterAll(async () => {
    for (const socket of stalledSockets) socket.destroy();
    await worker.stop();
  });

  function stall(socket: Socket) {
    stalledSockets.add(socket);
  }

  async function attemptAgainst(url: string) {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, url);
    const eventId = await publish(tenant, "finding.created", "fnd_slow");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1, 15_000);
    const [attempt] = await attemptsOf(delivery.id);
    return attempt;
  }

  // Each variant: what the receiver does once connected; the attempt must end as a timeout exactly at the deadline.
  const variants: Array<{ name: string; url: (port: number) => string; behave: (socket: Socket) => void }> = [
    { name: "accepts and never answers", url: (port) => `http://127.0.0.1:${port}/hook`, behave: stall },
    {
      name: "sends headers and never the body",
      url: (port) => `http://127.0.0.1:${port}/hook`,
      behave: (socket) => {
        stall(socket);
        afterRequestHeaders(socket, () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 1048576\r\n\r\n"));
      },
    },
    {
      name: "drips one byte at a time for ever",
      url: (port) => `http://127.0.0.1:${port}/hook`,
      behave: (socket) => {
        stall(socket);
        afterRequestHeaders(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
          const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write("1\r\nx\r\n")), 50);
        });
      },
    },
    {
      name: "answers just after the deadline",
      url: (port) => `http://127.0.0.1:${port}/hook`,
      behave: (socket) => {
        stall(socket);
        afterRequestHeaders(socket, () => setTimeout(() => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), DEADLINE_MS + 400));
      },
    },
  ];

  it.each(variants)("times out a receiver that $name", async ({ url, behave }) => {
    const server = await startRawServer(behave);
    try {
      const attempt = await attemptAgainst(url(server.port));
      expect(attempt.error_class).toBe("timeout");
      expect(attempt.succeeded).toBe(false);
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(attempt.duration_ms).toBeLessThan(DEADLINE_MS + 500);
      // A timeout is an ordinary failure: the first retry step follows.
      const delivery = await deliveryRow(attempt.delivery_id);
      expect(delivery).toMatchObject({ status: "retrying", last_error_class: "timeout" });
      expect(delivery.next_attempt_at.getTime() - attempt.started_at.getTime()).toBeGreaterThanOrEqual(60_000);
      expect(delivery.next_attempt_at.getTime() - attempt.started_at.getTime()).toBeLessThan(66_000);
    } finally {
      await server.close();
    }
  });

  it("times out a stalled TLS handshake", async () => {
    const server = await startRawServer(stall);
    try {
      const attempt = await attemptAgainst(`https://127.0.0.1:${server.port}/hook`);
      expect(attempt.error_class).toBe("timeout");
      // Connecting has its own limit, here the deadline itself, measured by undici's coarse timer.
      expect(attempt.duration_ms).toBeLessThan(DEADLINE_MS + 500);
    } finally {
      await server.close();
    }
  });

  it("accepts an answer before the deadline", async () => {
    const server = await startRawServer((socket) =>
      afterRequestHeaders(socket, () => setTimeout(() => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), DEADLINE_MS - 400)),
    );
    try {
      const attempt = await attemptAgainst(`http://127.0.0.1:${server.port}/hook`);
      expect(attempt.succeeded).toBe(true);
      expect(attempt.response_status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("times out a silent DNS lookup", async () => {
    const attempt = await attemptAgainst("http://silent-dns.test:9/hook");
    expect(attempt.error_class).toBe("timeout");
    expect(attempt.duration_ms).toBeLessThan(DEADLINE_MS + 500);
  });

  it.skipIf(!hasPython)("times out a dropped SYN", async () => {
    const blackhole = await startBlackhole();
    try {
      const attempt = await attemptAgainst(`http://127.0.0.1:${blackhole.port}/hook`);
      expect(attempt.error_class).toBe("timeout");
      expect(attempt.error_detail).toMatch(/could not be established/);
      expect(attempt.duration_ms).toBeLessThan(DEADLINE_MS + 500);
    } finally {
      await blackhole.close();
    }
  });
});

describe("isolation from hanging receivers", () => {
  it("keeps a healthy webhook flowing", async () => {
    // Few regular slots: the hanging webhooks alone need three times as many as there are.
    const worker = await startTestWorker({
      // A deadline far beyond the test's own run time: a healthy delivery stuck behind the hanging
      // attempts would have to wait for it, which the waits below never allow.
      http: { deadlineMs: 60_000 },
      engine: { maxInFlight: 4, fetchBatchSize: 4, perWebhookConcurrency: 2, slowAfterMs: 100, maxSlowInFlight: 64 },
    });
    const hanging = await startRawServer(() => undefined);
    const healthy = await startReceiver();
    try {
      const tenant = await createTenant();
      for (let index = 0; index < 6; index++) await createWebhook(tenant, `http://127.0.0.1:${hanging.port}/hook/${index}`, ["asset.first_seen"]);
      const healthyWebhook = await createWebhook(tenant, healthy.url, ["finding.created"]);
      for (let index = 0; index < 3; index++) await publish(tenant, "asset.first_seen", `ast_${index}`);
      await waitUntil(async () => hanging.connections, (count) => count >= 12);

      for (let index = 0; index < 5; index++) {
        const eventId = await publish(tenant, "finding.created", `fnd_healthy_${index}`);
        await waitUntil(() => deliveryOf(eventId, healthyWebhook.id), (row) => row?.status === "succeeded", 10_000);
      }
      // Every healthy delivery arrived while all twelve hanging attempts were still waiting for their deadline.
      expect(hanging.connections).toBe(12);
      expect(worker.engine.activeAttempts).toBe(12);
    } finally {
      await hanging.close();
      await worker.stop();
      await healthy.close();
    }
  });
});
