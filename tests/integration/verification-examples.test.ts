import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleData } from "../../lib/events/examples";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../support/receiver";
import { type RunningExample, runShellExample, type ServerExample, sendRaw, startExample } from "../support/verification-examples";
import { startTestWorker, type TestWorker } from "../support/worker";

/**
 * The verification examples of docs/examples, run as written against
 * deliveries the real worker signed: one signature, two during a rotation,
 * a tampered body and a stale timestamp.
 */
const SERVER_EXAMPLES: ServerExample[] = ["node", "python", "standardwebhooks"];
const SIGNED_HEADERS = ["wasviking-delivery", "wasviking-event", "wasviking-signature", "webhook-id", "webhook-timestamp", "webhook-signature"];

function forwardedHeaders(request: ReceivedRequest): Array<[string, string]> {
  return SIGNED_HEADERS.map((name) => [name, request.headers[name] as string]);
}

describe("verification examples", () => {
  let tenant: Tenant;
  let receiver: TestReceiver;
  let worker: TestWorker;
  let webhookId: string;
  let oldSecret: string;
  let newSecret: string;
  let oneSignature: ReceivedRequest;
  let twoSignatures: ReceivedRequest;
  let stale: ReceivedRequest;
  const running: Record<ServerExample, { old: RunningExample; new: RunningExample }> = {} as never;

  const publish = (findingId: string) =>
    api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "finding.escalated", data: { ...exampleData("finding.escalated"), finding_id: findingId } } });

  beforeAll(async () => {
    tenant = await createTenant();
    receiver = await startReceiver();

    // A worker and API whose clock is 10 minutes behind create the webhook and sign a delivery a receiver must call stale.
    const lagging = await startTestWorker({ clock: new TestClock(new Date(Date.now() - 10 * 60 * 1000)) });
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: receiver.url, events: ["finding.escalated"] } });
    webhookId = created.body.id;
    oldSecret = created.body.secret;
    await publish("fnd_stale");
    stale = (await receiver.waitForRequests(1))[0]!;
    await lagging.stop();

    worker = await startTestWorker();
    await publish("fnd_one");
    oneSignature = (await receiver.waitForRequests(2))[1]!;
    const rotated = await api("POST", `/v1/webhooks/${webhookId}/rotate`, { apiKey: tenant.apiKey });
    newSecret = rotated.body.secret;
    await publish("fnd_two");
    twoSignatures = (await receiver.waitForRequests(3))[2]!;

    await Promise.all(
      SERVER_EXAMPLES.map(async (example) => {
        const [withOld, withNew] = await Promise.all([startExample(example, [oldSecret]), startExample(example, [newSecret])]);
        running[example] = { old: withOld, new: withNew };
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(running).flatMap((pair) => [pair.old.stop(), pair.new.stop()]));
    await worker.stop();
    await receiver.close();
  });

  it("receives the deliveries the tests rely on", () => {
    expect((oneSignature.headers["wasviking-signature"] as string).match(/v1=/g)).toHaveLength(1);
    expect((twoSignatures.headers["wasviking-signature"] as string).match(/v1=/g)).toHaveLength(2);
    expect((twoSignatures.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
    const staleTimestamp = Number(stale.headers["webhook-timestamp"]);
    expect(Math.floor(Date.now() / 1000) - staleTimestamp).toBeGreaterThan(300);
  });

  describe.each(SERVER_EXAMPLES)("%s example", (example) => {
    it("accepts one signature", async () => {
      expect(await sendRaw(running[example].old.url, forwardedHeaders(oneSignature), oneSignature.body)).toBe(204);
      expect(running[example].old.verified.map((line) => line.delivery)).toContain(oneSignature.headers["wasviking-delivery"]);
    });

    it("rejects another secret", async () => {
      expect(await sendRaw(running[example].new.url, forwardedHeaders(oneSignature), oneSignature.body)).toBe(401);
    });

    it("accepts a rotation with either secret", async () => {
      expect(await sendRaw(running[example].old.url, forwardedHeaders(twoSignatures), twoSignatures.body)).toBe(204);
      expect(await sendRaw(running[example].new.url, forwardedHeaders(twoSignatures), twoSignatures.body)).toBe(204);
    });

    it("rejects a tampered body", async () => {
      const tampered = Buffer.from(twoSignatures.body.toString("utf8").replace('"critical"', '"low"'));
      expect(tampered.equals(twoSignatures.body)).toBe(false);
      expect(await sendRaw(running[example].old.url, forwardedHeaders(twoSignatures), tampered)).toBe(401);
    });

    it("rejects a stale timestamp", async () => {
      expect(await sendRaw(running[example].old.url, forwardedHeaders(stale), stale.body)).toBe(401);
    });

    it("takes a delivery straight from the worker", async () => {
      const target = running[example].new;
      await api("PATCH", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey, body: { url: target.url } });
      const published = await publish(`fnd_direct_${example}`);
      const deadline = Date.now() + 15_000;
      while (!target.verified.some((line) => line.event === published.body.id)) {
        if (Date.now() > deadline) throw new Error(`The ${example} example printed no verified line for ${published.body.id}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await api("PATCH", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey, body: { url: receiver.url } });
    });
  });

  describe("shell example", () => {
    const run = (request: ReceivedRequest, secrets: string[], body = request.body) =>
      runShellExample(secrets, request.headers["wasviking-delivery"] as string, request.headers["wasviking-signature"] as string, body);

    it("accepts one signature", async () => {
      expect(await run(oneSignature, [oldSecret])).toEqual({ output: "valid", code: 0 });
    });

    it("rejects another secret", async () => {
      expect(await run(oneSignature, [newSecret])).toEqual({ output: "invalid", code: 1 });
    });

    it("accepts a rotation with either secret", async () => {
      expect(await run(twoSignatures, [oldSecret])).toEqual({ output: "valid", code: 0 });
      expect(await run(twoSignatures, [newSecret])).toEqual({ output: "valid", code: 0 });
    });

    it("rejects a tampered body", async () => {
      const tampered = Buffer.from(twoSignatures.body.toString("utf8").replace('"critical"', '"low"'));
      expect(await run(twoSignatures, [oldSecret, newSecret], tampered)).toEqual({ output: "invalid", code: 1 });
    });

    it("rejects a stale timestamp", async () => {
      expect(await run(stale, [oldSecret, newSecret])).toEqual({ output: "invalid", code: 1 });
    });
  });
});
