import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESPONSE_BODY_LIMIT } from "../../lib/dispatch/http-client";
import { api } from "../support/api";
import { attemptsOf, createWebhook, deliveryOf, publish, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { afterRequestHeaders, startRawServer } from "../support/raw-servers";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

describe("response capture", () => {
  let tenant: Tenant;
  let receiver: TestReceiver;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startReceiver();
    worker = await startTestWorker({ http: { deadlineMs: 5000 } });
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  async function firstAttempt(url: string) {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, url);
    const eventId = await publish(tenant, "finding.created", "fnd_capture");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    const [attempt] = await attemptsOf(delivery.id);
    return attempt;
  }

  it("cuts a large body at 64 KiB", async () => {
    receiver.respond((_request, response) => response.writeHead(500, { "content-type": "text/plain" }).end("e".repeat(1024 * 1024)));
    const attempt = await firstAttempt(receiver.url);
    expect(attempt.response_status).toBe(500);
    expect(attempt.response_body).toHaveLength(RESPONSE_BODY_LIMIT);
    expect(attempt.response_body_truncated).toBe(true);
    expect(attempt.response_headers["content-type"]).toBe("text/plain");
  });

  it("stops reading an endless body", async () => {
    let closedAfterBytes = -1;
    const endless = await startRawServer((socket) =>
      afterRequestHeaders(socket, () => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n");
        let written = 0;
        const chunk = `4000\r\n${"z".repeat(0x4000)}\r\n`;
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk)) written += 0x4000;
          if (!socket.destroyed) socket.once("drain", pump);
        };
        socket.on("close", () => (closedAfterBytes = written));
        pump();
      }),
    );
    try {
      const attempt = await firstAttempt(`http://127.0.0.1:${endless.port}/hook`);
      expect(attempt.succeeded).toBe(true);
      expect(attempt.response_body).toHaveLength(RESPONSE_BODY_LIMIT);
      expect(attempt.response_body_truncated).toBe(true);
      expect(attempt.duration_ms).toBeLessThan(5000);
      await waitUntil(async () => closedAfterBytes, (bytes) => bytes >= 0);
    } finally {
      await endless.close();
    }
  });

  it("stores NUL and invalid UTF-8 safely", async () => {
    receiver.respond((_request, response) => response.writeHead(400).end(Buffer.from([0x62, 0x61, 0x64, 0x00, 0xff, 0x21])));
    const attempt = await firstAttempt(receiver.url);
    expect(attempt.response_status).toBe(400);
    expect(attempt.response_body).toBe("bad\uFFFD\uFFFD!");
    expect(attempt.response_body_truncated).toBe(false);
  });

  it("cuts long response header values", async () => {
    receiver.respond((_request, response) => response.writeHead(200, { "x-long": "h".repeat(5000) }).end());
    const attempt = await firstAttempt(receiver.url);
    expect(attempt.response_headers["x-long"]).toHaveLength(1024);
  });

  it("returns the body from a test", async () => {
    receiver.respond((_request, response) => response.writeHead(422).end("<script>alert(1)</script>".repeat(5000)));
    const webhook = await createWebhook(tenant, receiver.url);
    const tested = await api("POST", `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey });
    expect(tested.status).toBe(200);
    expect(tested.body.attempt.response_status).toBe(422);
    expect(Buffer.byteLength(tested.body.attempt.response_body)).toBe(RESPONSE_BODY_LIMIT);
    expect(tested.body.attempt.response_body_truncated).toBe(true);
    expect(tested.headers.get("content-type")).toBe("application/json");
  });
});
