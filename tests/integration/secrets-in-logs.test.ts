import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../lib/accounts/sign-in";
import { logger, redirectLogs } from "../../lib/log";
import { api, type ApiResult } from "../support/api";
import { deliveryOf, waitForAttempts } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn, type PortalUserFixture } from "../support/portal";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from "../support/worker-process";

/**
 * Runs a full flow while capturing every log line of the API and of a real
 * worker process. Then it looks for each signing secret, API key and password
 * the flow created or sent, in the logs and in every problem body. The logger
 * runs at its most verbose level, so debug lines are scanned too.
 */
describe("secrets in logs and problems", () => {
  const apiLines: string[] = [];
  const problems: ApiResult[] = [];
  // Every credential the flow creates or sends, by what it is.
  const secrets = new Map<string, string>();
  let previousLevel: string;
  let receiver: TestReceiver;
  let worker: WorkerProcess | undefined;
  let tenant: Tenant;
  let admin: PortalUserFixture;
  let adminHeaders: Record<string, string>;

  async function call(method: string, path: string, options: Parameters<typeof api>[2] = {}): Promise<ApiResult> {
    const response = await api(method, path, options);
    if (response.status >= 400) problems.push(response);
    return response;
  }

  beforeAll(async () => {
    previousLevel = logger.level;
    logger.level = "trace";
    redirectLogs({ write: (line) => apiLines.push(line) });
    receiver = await startReceiver();
    worker = await startWorkerProcess(process.env.DATABASE_URL!, { LOG_LEVEL: "trace" });
    tenant = await createTenant("Acme Security");
    secrets.set("first API key", tenant.apiKey);
    admin = await createPortalUser(tenant.organizationId, "admin");
    secrets.set("admin password", admin.password);
    adminHeaders = portalHeaders((await signIn(admin)).cookie);
  });

  afterAll(async () => {
    await stopWorkerProcess(worker);
    await receiver.close();
    redirectLogs(null);
    logger.level = previousLevel;
  });

  it("runs the flow without logging a secret", async () => {
    // The first attempt fails with a response that echoes a credential, and the replay succeeds.
    let answered = 0;
    receiver.respond((request, response) => {
      answered += 1;
      if (answered === 1) response.writeHead(500, { "content-type": "text/plain" }).end(`upstream rejected ${request.headers["wasviking-signature"]}`);
      else response.writeHead(204).end();
    });

    const created = await call("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: receiver.url, events: ["finding.created"] } });
    expect(created.status).toBe(201);
    secrets.set("first signing secret", created.body.secret);
    const webhookId: string = created.body.id;

    const rotated = await call("POST", `/v1/webhooks/${webhookId}/rotate`, { apiKey: tenant.apiKey });
    expect(rotated.status).toBe(200);
    secrets.set("rotated signing secret", rotated.body.secret);

    const key = await call("POST", "/v1/api-keys", { headers: adminHeaders, body: { name: "SIEM export", scopes: ["webhooks:read", "events:publish"] } });
    expect(key.status).toBe(201);
    secrets.set("second API key", key.body.key);

    const published = await call("POST", "/v1/events", {
      apiKey: key.body.key,
      body: { type: "finding.created", subject: "fnd_LOG1", data: { finding_id: "fnd_LOG1", title: "Exposed admin console", severity: "high" } },
    });
    expect(published.status, published.text).toBe(202);
    await receiver.waitForRequests(1);
    const delivery = await waitForAttempts((await deliveryOf(published.body.id, webhookId)).id, 1);

    const replayed = await call("POST", `/v1/webhooks/${webhookId}/deliveries/${delivery.id}/replay`, { apiKey: tenant.apiKey });
    expect(replayed.status).toBe(200);
    expect(replayed.body.attempt.response_status).toBe(204);

    const detail = await call("GET", `/v1/webhooks/${webhookId}/deliveries/${delivery.id}`, { apiKey: tenant.apiKey });
    expect(detail.status).toBe(200);
  });

  it("rejects wrong credentials without logging them", async () => {
    const wrongPassword = `wrong-${randomBytes(9).toString("base64url")}`;
    secrets.set("wrong password", wrongPassword);
    const meta = { sourceIp: "127.0.0.1", userAgent: "integration test", now: new Date() };
    expect((await signInWithPassword(admin.email, wrongPassword, meta)).ok).toBe(false);
    expect((await signInWithPassword(`nobody-${randomBytes(3).toString("hex")}@example.com`, wrongPassword, meta)).ok).toBe(false);

    const forged = `wvk_${randomBytes(6).toString("hex").slice(0, 8)}_${randomBytes(24).toString("hex").slice(0, 32)}`;
    secrets.set("forged API key", forged);
    expect((await call("GET", "/v1/webhooks", { apiKey: forged })).status).toBe(401);
    const sameKnownPrefix = `${tenant.apiKey.slice(0, 13)}${"A".repeat(32)}`;
    secrets.set("key with a real prefix", sameKnownPrefix);
    expect((await call("GET", "/v1/webhooks", { apiKey: sameKnownPrefix })).status).toBe(401);
    expect((await call("GET", "/v1/webhooks", { headers: { authorization: `Bearer ${tenant.apiKey}` } })).status).toBe(401);
    expect((await call("GET", "/v1/webhooks", { headers: { authorization: tenant.apiKey } })).status).toBe(401);

    const keys = await call("GET", "/v1/api-keys", { headers: adminHeaders });
    const second = keys.body.data.find((item: { name: string }) => item.name === "SIEM export");
    expect((await call("DELETE", `/v1/api-keys/${second.id}`, { headers: adminHeaders })).status).toBe(200);
    expect((await call("GET", "/v1/webhooks", { apiKey: secrets.get("second API key") })).status).toBe(401);
  });

  it("answers bad requests that contain a key without repeating it", async () => {
    const key = tenant.apiKey;
    const secret = secrets.get("rotated signing secret")!;
    const json = { "content-type": "application/json" };
    const badRequests: Array<[string, string, Parameters<typeof api>[2]]> = [
      ["POST", "/v1/webhooks", { apiKey: key, body: { url: receiver.url, events: [key] } }],
      ["POST", "/v1/webhooks", { apiKey: key, body: { url: key, events: ["finding.created"] } }],
      ["POST", "/v1/webhooks", { apiKey: key, body: { url: receiver.url, events: ["finding.created"], [key]: true, [secret]: 1 } }],
      ["POST", "/v1/webhooks", { apiKey: key, rawBody: `{"${key}": 1, "${key}": 2}`, headers: json }],
      ["POST", "/v1/webhooks", { apiKey: key, rawBody: `{"url": "${secret}"`, headers: json }],
      ["POST", "/v1/webhooks", { apiKey: key, rawBody: `{"url": ${key}}`, headers: json }],
      ["POST", "/v1/webhooks", { apiKey: key, rawBody: "{}", headers: { "content-type": `text/${key}` } }],
      ["PATCH", "/v1/webhooks/wh_nothing", { apiKey: key, body: { description: key } }],
      ["GET", `/v1/webhooks?${encodeURIComponent(key)}=1`, { apiKey: key }],
      ["GET", `/v1/webhooks?cursor=${encodeURIComponent(key)}`, { apiKey: key }],
      ["GET", `/v1/deliveries?subject=${encodeURIComponent(secret)}`, { apiKey: key }],
      ["GET", `/v1/deliveries?event_id=${encodeURIComponent(key)}`, { apiKey: key }],
      ["GET", `/v1/webhooks/${encodeURIComponent(key)}`, { apiKey: key }],
      ["POST", "/v1/events", { apiKey: key, body: { type: key, data: {} } }],
      ["POST", "/v1/events", { apiKey: key, body: { type: "finding.created", subject: secret, data: { finding_id: key } } }],
      ["POST", "/v1/events", { apiKey: key, body: { type: "finding.created", data: {} }, headers: { "idempotency-key": `${key}\u0001` } }],
      ["POST", "/v1/api-keys", { headers: adminHeaders, body: { name: key, scopes: [secret] } }],
    ];
    for (const [method, path, options] of badRequests) {
      const response = await call(method, path, options);
      expect(response.status, `${method} ${path}: ${response.text}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${path}: ${response.text}`).toBeLessThan(500);
    }
  });

  it("finds no secret in any log line or problem body", async () => {
    await stopWorkerProcess(worker);
    const workerLines = worker!.logs.map((entry) => JSON.stringify(entry));
    // The capture really saw the flow: the API's request logs and the worker's attempt logs.
    expect(apiLines.some((line) => line.includes("portal sign-in rejected: wrong password"))).toBe(true);
    expect(workerLines.length).toBeGreaterThan(1);
    expect(problems.length).toBeGreaterThan(20);

    const sources: Array<[string, string[]]> = [
      ["API log", apiLines],
      ["worker log", workerLines],
      ["problem body", problems.map((response) => response.text)],
    ];
    for (const [name, secret] of secrets) {
      expect(secret.length, name).toBeGreaterThan(8);
      for (const [source, lines] of sources) {
        const leaking = lines.filter((line) => line.includes(secret) || line.includes(JSON.stringify(secret).slice(1, -1)));
        expect(leaking, `${name} in ${source}`).toEqual([]);
      }
    }
  });
});
