import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { verifySignature } from "../../lib/signing";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

async function waitForDelivery(deliveryWhere: string, values: unknown[], predicate: (row: any) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await pool().query(`SELECT * FROM deliveries WHERE ${deliveryWhere}`, values);
    const row = result.rows[0];
    if (row && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`Delivery did not reach the expected state: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("event to signed delivery", () => {
  let tenant: Tenant;
  let receiver: TestReceiver;
  let worker: TestWorker;

  beforeAll(async () => {
    tenant = await createTenant();
    receiver = await startReceiver();
    worker = await startTestWorker();
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  it("delivers a published event as a verifiable signed POST and records it", async () => {
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: receiver.url, events: ["finding.escalated", "finding.sla_breached"], description: "SIEM ingestion" },
    });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const published = await api("POST", "/v1/events", {
      apiKey: tenant.apiKey,
      body: { type: "finding.escalated", subject: "fnd_456", data: { finding_id: "fnd_456", severity: "critical" } },
    });
    expect(published.status).toBe(202);
    expect(published.body.deliveries).toBe(1);

    const [request] = await receiver.waitForRequests(1);
    const ours = verifySignature({
      signatureHeader: request!.headers["wasviking-signature"] as string,
      deliveryId: request!.headers["wasviking-delivery"] as string,
      body: request!.body,
      secrets: [secret],
    });
    expect(ours).toMatchObject({ ok: true });

    const standardHeaders = {
      "webhook-id": request!.headers["webhook-id"] as string,
      "webhook-timestamp": request!.headers["webhook-timestamp"] as string,
      "webhook-signature": request!.headers["webhook-signature"] as string,
    };
    expect(() => new Webhook(secret).verify(request!.body.toString("utf8"), standardHeaders)).not.toThrow();
    expect(request!.headers["webhook-id"]).toBe(request!.headers["wasviking-delivery"]);
    expect(request!.headers["wasviking-event"]).toBe("finding.escalated");

    const payload = JSON.parse(request!.body.toString("utf8"));
    expect(payload.type).toBe("finding.escalated");
    expect(payload.subject).toBe("fnd_456");
    expect(payload.ordering).toEqual({ key: "finding:fnd_456", sequence: 1 });

    const deliveryId = request!.headers["wasviking-delivery"] as string;
    await waitForDelivery("id = $1", [deliveryId], (row) => row.status === "succeeded");
    const listed = await api("GET", `/v1/webhooks/${created.body.id}/deliveries`, { apiKey: tenant.apiKey });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0].status).toBe("succeeded");
    expect(listed.body.data[0].attempts).toBe(1);
    expect(listed.body.data[0].last_attempt.status_code).toBe(204);
  });
});
