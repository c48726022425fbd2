import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { verifySignature } from "../lib/signing";
import { startReceiver, type TestReceiver } from "../tests/support/receiver";
import { e2eState } from "./support/state";

/**
 * Runs every curl command of the product documentation's Webhooks page as
 * written there, against the real server and worker. Only the API host is
 * replaced by the local one, the key ($KEY, as on the page) is a local key of
 * an organisation of this spec's own, and {id} and {delivery_id} are filled in. Each step checks what the page
 * promises for its command.
 */
const DOC_HOST = "https://api.wasviking.com";

// The commands exactly as the Webhooks page shows them.
const REGISTER = `curl -sS https://api.wasviking.com/v1/webhooks \\
  -H "Authorization: ApiKey \${KEY}" \\
  -H "Content-Type: application/json" \\
  -d '{
    "url": "https://example.com/wasviking-hook",
    "events": ["finding.escalated", "finding.sla_breached"],
    "description": "SIEM ingestion"
  }'`;
const ROTATE = `curl -sS https://api.wasviking.com/v1/webhooks/{id}/rotate \\
  -H "Authorization: ApiKey \${KEY}"`;
const TEST_DELIVERY = `curl -sS https://api.wasviking.com/v1/webhooks/{id}/test \\
  -H "Authorization: ApiKey \${KEY}"`;
const REPLAY = `curl -sS https://api.wasviking.com/v1/webhooks/{id}/deliveries/{delivery_id}/replay \\
  -H "Authorization: ApiKey \${KEY}"`;

const execFileAsync = promisify(execFile);

// The organisation these commands act in; its own, so no other spec's webhook receives the events published here.
let apiKey = "";

async function createOwnTenant(): Promise<string> {
  const { stdout } = await execFileAsync("npx", ["tsx", "e2e/support/create-tenant.ts", "Documentation Commands"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, LOG_LEVEL: "warn" },
  });
  return (JSON.parse(stdout) as { apiKey: string }).apiKey;
}

// Asynchronous on purpose: the receiver lives in this process and must keep responding while curl waits.
async function runDocCommand(command: string, values: { id?: string; deliveryId?: string } = {}): Promise<any> {
  const state = e2eState();
  let local = command.replaceAll(DOC_HOST, state.baseUrl);
  if (values.id) local = local.replaceAll("{id}", values.id);
  if (values.deliveryId) local = local.replaceAll("{delivery_id}", values.deliveryId);
  const { stdout } = await execFileAsync("bash", ["-c", local], { env: { ...process.env, KEY: apiKey }, timeout: 30_000 });
  return JSON.parse(stdout);
}

function verifiesWith(request: { headers: Record<string, unknown>; body: Buffer }, secret: string): boolean {
  return verifySignature({
    signatureHeader: request.headers["wasviking-signature"] as string,
    deliveryId: request.headers["wasviking-delivery"] as string,
    body: request.body,
    secrets: [secret],
  }).ok;
}

test.describe("product documentation commands", () => {
  let receiver: TestReceiver;
  let webhookId: string | undefined;

  test.beforeAll(async () => {
    apiKey = await createOwnTenant();
    receiver = await startReceiver("/wasviking-hook");
  });

  test.afterAll(async ({ request }) => {
    if (webhookId) await request.delete(`/v1/webhooks/${webhookId}`, { headers: { authorization: `ApiKey ${apiKey}` } });
    await receiver.close();
  });

  test("register, rotate, test and replay work as documented", async ({ request }) => {
    const headers = { authorization: `ApiKey ${apiKey}` };

    // Registering: "The response includes the signing secret. Store it; it is shown once."
    const registered = await runDocCommand(REGISTER);
    webhookId = registered.id;
    expect(registered.id).toMatch(/^wh_/);
    expect(registered.url).toBe("https://example.com/wasviking-hook");
    expect(registered.events).toEqual(["finding.escalated", "finding.sla_breached"]);
    expect(registered.description).toBe("SIEM ingestion");
    expect(registered.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const fetched = await request.get(`/v1/webhooks/${registered.id}`, { headers });
    expect(await fetched.text()).not.toContain(registered.secret);

    // Nothing was sent to example.com; from here on the webhook points at a local receiver.
    const before = await (await request.get(`/v1/webhooks/${registered.id}/deliveries`, { headers })).json();
    expect(before.data).toEqual([]);
    const patched = await request.patch(`/v1/webhooks/${registered.id}`, { headers, data: { url: receiver.url } });
    expect(patched.status()).toBe(200);

    // Rotating: "Both the old and new secrets verify for a 24-hour overlap window."
    const rotated = await runDocCommand(ROTATE, { id: registered.id });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(registered.secret);
    const expiring = rotated.secrets.find((secret: { status: string }) => secret.status === "expiring");
    expect(new Date(expiring.expires_at).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);

    receiver.respond((_request, response) => response.writeHead(503, { "content-type": "text/plain" }).end("SIEM is restarting"));
    const published = await request.post("/v1/events", {
      headers,
      data: { type: "finding.escalated", data: { finding_id: "fnd_456", severity: "critical", previous_severity: "high" } },
    });
    expect(published.status()).toBe(202);
    const [delivered] = await receiver.waitForRequests(1, 20_000);
    expect(verifiesWith(delivered!, registered.secret)).toBe(true);
    expect(verifiesWith(delivered!, rotated.secret)).toBe(true);

    // Test delivery: "WASViking sends a webhook.test event to your endpoint."
    receiver.respond((_request, response) => response.writeHead(204).end());
    const tested = await runDocCommand(TEST_DELIVERY, { id: registered.id });
    expect(tested.attempt.succeeded).toBe(true);
    expect(tested.attempt.trigger).toBe("test");
    const testRequest = receiver.requests.find((item) => item.headers["wasviking-delivery"] === tested.delivery_id)!;
    expect(testRequest.headers["wasviking-event"]).toBe("webhook.test");
    const testBody = JSON.parse(testRequest.body.toString("utf8"));
    expect(testBody.type).toBe("webhook.test");
    expect(testBody.data.test).toBe(true);
    expect(verifiesWith(testRequest, registered.secret)).toBe(true);
    expect(verifiesWith(testRequest, rotated.secret)).toBe(true);

    // Replay: the failed delivery gets a new attempt now, with the same delivery id.
    const deliveryId = delivered!.headers["wasviking-delivery"] as string;
    const replayed = await runDocCommand(REPLAY, { id: registered.id, deliveryId });
    expect(replayed.delivery_id).toBe(deliveryId);
    expect(replayed.attempt.trigger).toBe("replay");
    expect(replayed.attempt.number).toBeGreaterThanOrEqual(2);
    expect(replayed.attempt.succeeded).toBe(true);
    const replayRequest = receiver.requests.filter((item) => item.headers["wasviking-delivery"] === deliveryId).at(-1)!;
    expect(replayRequest.body.equals(delivered!.body)).toBe(true);
    expect(verifiesWith(replayRequest, rotated.secret)).toBe(true);

    const listed = await (await request.get(`/v1/webhooks/${registered.id}/deliveries`, { headers })).json();
    const delivery = listed.data.find((item: { id: string }) => item.id === deliveryId);
    expect(delivery.status).toBe("succeeded");
    expect(receiver.requests.every((item) => item.path === "/wasviking-hook")).toBe(true);
  });
});
