import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../lib/accounts/api-keys";
import { type Actor, recordAudit, SYSTEM_ACTOR } from "../../lib/audit";
import { pool } from "../../lib/db";
import { newId } from "../../lib/ids";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn } from "../support/portal";

describe("audit log API", () => {
  let tenant: Tenant;
  let admin: Record<string, string>;
  let viewer: Record<string, string>;
  const alice: Actor = { type: "user", id: newId("user"), label: "Alice (alice@example.com)", sourceIp: "203.0.113.5", userAgent: "Firefox" };
  const robot: Actor = { type: "api_key", id: newId("apiKey"), label: "API key deploy bot (wvk_12345678)", sourceIp: "198.51.100.9", userAgent: "curl/8" };
  const gone = newId("subscription");
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 3, 9, minute));

  beforeAll(async () => {
    tenant = await createTenant("Audit log readers");
    const adminUser = await createPortalUser(tenant.organizationId, "admin");
    admin = portalHeaders((await signIn(adminUser)).cookie);
    viewer = portalHeaders((await signIn(await createPortalUser(tenant.organizationId, "viewer"))).cookie);
    // A fixed history in November 2026, older than everything the fixtures above recorded.
    const seed = [
      { actor: alice, action: "webhook.created", targetId: gone, at: at(0) },
      { actor: alice, action: "webhook.daily_cap_changed", targetId: gone, at: at(1), details: { changes: { daily_cap: { from: 10, to: 20 } } } },
      { actor: robot, action: "webhook.secret_rotated", targetId: gone, at: at(2) },
      { actor: SYSTEM_ACTOR, action: "webhook.disabled", targetId: gone, at: at(3) },
      { actor: robot, action: "webhook.test_sent", targetId: gone, at: at(4) },
      { actor: alice, action: "webhook.deleted", targetId: gone, at: at(5) },
    ] as const;
    for (const entry of seed) {
      await recordAudit(pool(), { organizationId: tenant.organizationId, targetType: "webhook", ...entry });
    }
  });

  async function list(query: string, headers = admin) {
    return api("GET", `/v1/audit-log?${query}`, { headers });
  }

  const actionsOf = (body: { data: Array<{ action: string }> }) => body.data.map((entry) => entry.action);
  const november = `from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z`;

  it("lists entries newest first with actor, target and source", async () => {
    const response = await list(november);
    expect(response.status).toBe(200);
    expect(actionsOf(response.body)).toEqual([
      "webhook.deleted",
      "webhook.test_sent",
      "webhook.disabled",
      "webhook.secret_rotated",
      "webhook.daily_cap_changed",
      "webhook.created",
    ]);
    expect(response.body.data[4]).toEqual({
      id: expect.stringMatching(/^aud_/),
      created_at: "2026-11-03T09:01:00.000Z",
      action: "webhook.daily_cap_changed",
      action_label: "Daily cap changed",
      actor: { type: "user", id: alice.id, label: alice.label },
      target: { type: "webhook", id: gone },
      webhook_id: null,
      source_ip: "203.0.113.5",
      user_agent: "Firefox",
      details: { changes: { daily_cap: { from: 10, to: 20 } } },
    });
  });

  it("filters by one action or several", async () => {
    expect(actionsOf((await list(`${november}&action=webhook.secret_rotated`)).body)).toEqual(["webhook.secret_rotated"]);
    const several = await list(`${november}&action=webhook.created,webhook.deleted`);
    expect(actionsOf(several.body)).toEqual(["webhook.deleted", "webhook.created"]);
  });

  it("filters by actor", async () => {
    expect(actionsOf((await list(`${november}&actor=${robot.id}`)).body)).toEqual(["webhook.test_sent", "webhook.secret_rotated"]);
    expect(actionsOf((await list(`${november}&actor=system`)).body)).toEqual(["webhook.disabled"]);
  });

  it("filters by target id", async () => {
    const webhook = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "https://siem.example.com/in", events: ["finding.created"] } });
    const response = await list(`target_id=${webhook.body.id}`);
    expect(actionsOf(response.body)).toEqual(["webhook.created"]);
    expect(response.body.data[0].webhook_id).toBe(webhook.body.id);
    expect(response.body.data[0].actor).toEqual({ type: "api_key", id: tenant.apiKeyId, label: expect.stringContaining("test key") });
    expect((await list(`${november}&target_id=${gone}`)).body.data).toHaveLength(6);
  });

  it("filters by time range, from inclusive and to exclusive", async () => {
    const response = await list(`from=2026-11-03T09:01:00Z&to=2026-11-03T09:03:00Z`);
    expect(actionsOf(response.body)).toEqual(["webhook.secret_rotated", "webhook.daily_cap_changed"]);
  });

  it("pages with a cursor without repeats or gaps", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(`${november}&limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((entry: { id: string }) => entry.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    const all = (await list(november)).body.data.map((entry: { id: string }) => entry.id);
    expect(seen).toEqual(all);
    expect(seen).toHaveLength(6);
  });

  it("keeps other organisations' entries out", async () => {
    const other = await createTenant("Another organisation");
    const response = await api("GET", `/v1/audit-log?target_id=${other.apiKeyId}`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
    const own = await api("GET", `/v1/audit-log?target_id=${other.apiKeyId}`, { apiKey: other.apiKey });
    expect(actionsOf(own.body)).toEqual(["api_key.created"]);
  });

  it("rejects viewers", async () => {
    const response = await list(november, viewer);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("needs the audit:read scope for API keys", async () => {
    const withoutScope = await createApiKey(tenant.organizationId, { name: "no audit", scopes: ["webhooks:read", "webhooks:write"] }, SYSTEM_ACTOR);
    const rejected = await api("GET", "/v1/audit-log", { apiKey: withoutScope.key });
    expect(rejected.status).toBe(403);
    expect(rejected.body.detail).toContain("audit:read");
    const reader = await createApiKey(tenant.organizationId, { name: "auditor", scopes: ["audit:read"] }, SYSTEM_ACTOR);
    expect((await api("GET", "/v1/audit-log", { apiKey: reader.key })).status).toBe(200);
    expect((await api("GET", "/v1/webhooks", { apiKey: reader.key })).status).toBe(403);
  });

  it("rejects unauthenticated requests", async () => {
    expect((await api("GET", "/v1/audit-log")).status).toBe(401);
  });

  it.each([
    ["action=webhook.exploded", "query/action", /Unknown action "webhook.exploded"/],
    ["action=,", "query/action", /at least one action/],
    ["actor=alice", "query/actor", /Invalid actor/],
    ["target_id=../../etc", "query/target_id", /Invalid target id/],
    ["from=yesterday", "query/from", /Invalid time/],
    ["from=2026-11-04T00:00:00Z&to=2026-11-03T00:00:00Z", "query/to", /later than from/],
    ["cursor=wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK", "query/cursor", /Invalid cursor/],
    ["limit=1000", "query/limit", /100/],
    ["sort=asc", "query/sort", /Unknown field/],
  ])("rejects %s as problem details on %s", async (query, field, message) => {
    const response = await list(query);
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const error = response.body.errors.find((item: { field: string }) => item.field === field);
    expect(error?.message).toMatch(message);
  });
});
