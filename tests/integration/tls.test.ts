import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../lib/dispatch/http-client";
import type { Resolver } from "../../lib/dispatch/safe-lookup";
import { createTestCertificates, type KeyAndCertificate, type TestCertificates } from "../support/certificates";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startTestWorker, type TestWorker } from "../support/worker";

const HOST = "hooks.tls.test";
// Every *.tls.test name is this machine; no real DNS is queried.
const resolver: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];

async function startTlsReceiver(identity: KeyAndCertificate): Promise<{ url: string; requests: number; server: Server; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server = createServer(identity, (_request, response) => {
    state.requests++;
    response.writeHead(200).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `https://${HOST}:${port}/hook`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe("TLS certificates", () => {
  const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
  let certificates: TestCertificates;
  let worker: TestWorker;

  beforeAll(async () => {
    certificates = createTestCertificates(HOST);
    // The test CA is trusted as an extra authority, as WVK_EXTRA_CA_PEM does for a worker; verification stays on.
    worker = await startTestWorker({ clock, http: { resolver, ca: certificates.rootCa } });
  });

  afterAll(async () => {
    await worker.stop();
    certificates.remove();
  });

  it("trusts a certificate of the extra CA", async () => {
    const receiver = await startTlsReceiver(certificates.valid);
    try {
      const tenant = await createTenant();
      const webhook = await createWebhook(tenant, receiver.url);
      const eventId = await publish(tenant, "finding.created", "fnd_tls_ok");
      const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "succeeded");
      expect(delivery.attempt_count).toBe(1);
      expect(receiver.requests).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  const broken: Array<{ name: string; identity: (certificates: TestCertificates) => KeyAndCertificate; reason: RegExp }> = [
    { name: "self-signed", identity: (all) => all.selfSigned, reason: /self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/ },
    { name: "expired", identity: (all) => all.expired, reason: /has expired \(CERT_HAS_EXPIRED\)/ },
    { name: "for another host name", identity: (all) => all.otherHost, reason: /another host name \(ERR_TLS_CERT_ALTNAME_INVALID\)/ },
    { name: "served without its intermediate", identity: (all) => all.viaIntermediate, reason: /chain is incomplete/ },
  ];

  it.each(broken)("rejects a certificate that is $name", async ({ identity, reason }) => {
    const receiver = await startTlsReceiver(identity(certificates));
    try {
      const tenant = await createTenant();
      const webhook = await createWebhook(tenant, receiver.url);
      const eventId = await publish(tenant, "finding.created", "fnd_tls_bad");
      const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
      const [attempt] = await attemptsOf(delivery.id);
      expect(attempt.error_class).toBe("tls");
      expect(attempt.error_detail).toMatch(reason);
      expect(receiver.requests).toBe(0);
      expect(delivery.status).toBe("retrying");
      expect(delivery.next_attempt_at.getTime() - attempt.started_at.getTime()).toBe(60_000);

      // Once the receiver serves a proper certificate, the next retry goes through.
      receiver.server.setSecureContext(certificates.valid);
      receiver.server.closeAllConnections();
      await clock.setTime(delivery.next_attempt_at);
      const done = await waitUntil(() => deliveryRow(delivery.id), (row) => row.status === "succeeded");
      expect(done.attempt_count).toBe(2);
    } finally {
      await receiver.close();
    }
  });

  /** Sends one request through a client that does not trust the test CA; returns its result and the requests the receiver got. */
  async function sendUntrusted(identity: KeyAndCertificate) {
    const receiver = await startTlsReceiver(identity);
    const client = createHttpClient({ allowPrivate: true, resolver, deadlineMs: 5000 });
    try {
      const result = await client.send(receiver.url, { "content-type": "application/json" }, "{}");
      return { result, requests: receiver.requests };
    } finally {
      await client.close();
      await receiver.close();
    }
  }

  it("keeps verifying with NODE_TLS_REJECT_UNAUTHORIZED=0", async () => {
    // Node reads this variable at every TLS connection and skips verification for the whole process when it is "0".
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      const { result, requests } = await sendUntrusted(certificates.selfSigned);
      expect(result).toMatchObject({ kind: "error", errorClass: "tls" });
      expect(requests).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });

  it("rejects the test CA without ca", async () => {
    const { result, requests } = await sendUntrusted(certificates.valid);
    expect(result).toMatchObject({ kind: "error", errorClass: "tls" });
    expect(requests).toBe(0);
  });
});
