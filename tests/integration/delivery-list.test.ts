import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { api, type ApiResult } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { type DeliverySeed, type SeededDelivery, seedDeliveries } from "../support/seed-deliveries";

/**
 * The inspector's delivery lists: every filter and combination against an
 * oracle computed from the seeded rows, keyset paging across pages, paging
 * while deliveries arrive, the list across webhooks, and invalid filters.
 */
const STATUSES = ["pending", "retrying", "succeeded", "failed", "held"] as const;
const EVENT_TYPES = ["finding.created", "finding.escalated", "asset.first_seen", "secret.verified_live", "webhook.test"];
const SUBJECTS = ["fnd_1", "fnd_2", "fnd_3", "ast_1", "ast_2"];
const BASE_TIME = new Date("2026-11-20T08:00:00.000Z");

/** A small deterministic generator, so a failure reproduces. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

function seedsFor(webhookId: string, count: number, seed: number, start = BASE_TIME): DeliverySeed[] {
  const random = generator(seed);
  const seeds: DeliverySeed[] = [];
  let time = start.getTime();
  for (let index = 0; index < count; index++) {
    // Every tenth delivery shares the millisecond of the one before, as a fan-out does.
    if (index % 10 !== 0) time += 1000 + Math.floor(random() * 60_000);
    const eventType = pick(random, EVENT_TYPES);
    seeds.push({
      webhookId,
      createdAt: new Date(time),
      status: eventType === "webhook.test" ? pick(random, ["succeeded", "failed"] as const) : pick(random, STATUSES),
      eventType,
      subject: eventType === "webhook.test" ? "fnd_test_1" : pick(random, SUBJECTS),
    });
  }
  return seeds;
}

interface Filter {
  status?: string;
  event_type?: string;
  subject?: string;
  delivery_id?: string;
  event_id?: string;
  created_after?: string;
  created_before?: string;
  webhook_id?: string;
}

/** The deliveries a filter must return, newest first, computed without the database. */
function expected(rows: readonly SeededDelivery[], filter: Filter): string[] {
  return rows
    .filter((row) => !filter.status || filter.status.split(",").includes(row.status))
    .filter((row) => !filter.event_type || filter.event_type.split(",").includes(row.eventType))
    .filter((row) => !filter.subject || row.subject === filter.subject)
    .filter((row) => !filter.delivery_id || row.id === filter.delivery_id)
    .filter((row) => !filter.event_id || row.eventId === filter.event_id)
    .filter((row) => !filter.webhook_id || row.webhookId === filter.webhook_id)
    .filter((row) => !filter.created_after || row.createdAt.getTime() > new Date(filter.created_after).getTime())
    .filter((row) => !filter.created_before || row.createdAt.getTime() < new Date(filter.created_before).getTime())
    .map((row) => row.id)
    .sort()
    .reverse();
}

function queryString(filter: Filter, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ ...(filter as Record<string, string>), ...extra });
  return query.toString();
}

describe("delivery lists", () => {
  let tenant: Tenant;
  let other: Tenant;
  let first: string;
  let second: string;
  let foreign: string;
  let rows: SeededDelivery[];
  let firstRows: SeededDelivery[];

  async function createWebhook(owner: Tenant): Promise<string> {
    const created = await api("POST", "/v1/webhooks", {
      apiKey: owner.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created", "finding.escalated", "asset.first_seen"] },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** Follows next_cursor to the end and returns every id, failing on a repeated one. */
  async function walk(path: string, filter: Filter, limit: number, owner: Tenant = tenant): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const response: ApiResult = await api("GET", `${path}?${queryString(filter, { limit: String(limit), ...(cursor ? { cursor } : {}) })}`, { apiKey: owner.apiKey });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(limit);
      ids.push(...response.body.data.map((item: { id: string }) => item.id));
      cursor = response.body.next_cursor;
      if (cursor === null) break;
      expect(response.body.data).toHaveLength(limit);
    }
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  }

  beforeAll(async () => {
    tenant = await createTenant("Inspector Team");
    other = await createTenant("Other Team");
    first = await createWebhook(tenant);
    second = await createWebhook(tenant);
    foreign = await createWebhook(other);
    firstRows = await seedDeliveries(tenant.organizationId, seedsFor(first, 240, 7));
    const secondRows = await seedDeliveries(tenant.organizationId, seedsFor(second, 60, 11));
    rows = [...firstRows, ...secondRows];
    // The other organisation's deliveries share subjects and times, so a leak would show.
    await seedDeliveries(other.organizationId, seedsFor(foreign, 40, 7));
  });

  afterAll(async () => {
    await pool().query(`DELETE FROM deliveries WHERE organization_id = ANY($1)`, [[tenant.organizationId, other.organizationId]]);
  });

  function cases(): Array<[string, Filter]> {
    const sample = firstRows[37]!;
    const middle = firstRows[100]!.createdAt;
    const later = firstRows[180]!.createdAt;
    return [
      ["no filter", {}],
      ["one status", { status: "failed" }],
      ["two statuses", { status: "failed,retrying" }],
      ["one event type", { event_type: "finding.created" }],
      ["event types and a status", { event_type: "finding.created,asset.first_seen", status: "succeeded" }],
      ["test deliveries", { event_type: "webhook.test" }],
      ["a subject", { subject: "fnd_2" }],
      ["a subject and a status", { subject: "fnd_2", status: "failed,held" }],
      ["a subject and an event type", { subject: "ast_1", event_type: "asset.first_seen" }],
      ["a time range", { created_after: middle.toISOString(), created_before: later.toISOString() }],
      ["a status after a time", { status: "succeeded", created_after: middle.toISOString() }],
      ["an event type before a time", { event_type: "finding.escalated", created_before: middle.toISOString() }],
      ["a delivery id", { delivery_id: sample.id }],
      ["a delivery id that fails another filter", { delivery_id: sample.id, status: STATUSES.find((status) => status !== sample.status)! }],
      ["an event id", { event_id: sample.eventId }],
    ];
  }

  it("walks a webhook's filters page by page", async () => {
    for (const [name, filter] of cases()) {
      const ids = await walk(`/v1/webhooks/${first}/deliveries`, filter, 7);
      expect(ids, name).toEqual(expected(rows, { ...filter, webhook_id: first }));
      if (filter.status !== undefined && filter.delivery_id !== undefined) expect(ids, name).toEqual([]);
      else expect(ids.length, name).toBeGreaterThan(0);
    }
  });

  it("walks every webhook's filters page by page", async () => {
    for (const [name, filter] of cases()) {
      const ids = await walk("/v1/deliveries", filter, 9);
      expect(ids, name).toEqual(expected(rows, filter));
    }
  });

  it("narrows the list across webhooks to one", async () => {
    const ids = await walk("/v1/deliveries", { webhook_id: second, status: "succeeded" }, 5);
    expect(ids).toEqual(expected(rows, { webhook_id: second, status: "succeeded" }));
    expect(ids.length).toBeGreaterThan(0);
  });

  it("finds a delivery by id without its webhook", async () => {
    const target = rows.find((row) => row.webhookId === second)!;
    const response = await api("GET", `/v1/deliveries?delivery_id=${target.id}`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(1);
    expect(response.body.data[0]).toMatchObject({ id: target.id, webhook_id: second, event_id: target.eventId, status: target.status });
  });

  it("returns newest first with the list's fields", async () => {
    const response = await api("GET", `/v1/webhooks/${first}/deliveries?limit=3`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(200);
    const newest = [...firstRows].sort((a, b) => (a.id < b.id ? 1 : -1))[0]!;
    expect(response.body.data[0]).toMatchObject({
      id: newest.id,
      webhook_id: first,
      event_type: newest.eventType,
      subject: newest.subject,
      status: newest.status,
      created_at: newest.createdAt.toISOString(),
    });
    expect(response.body.data[0]).toHaveProperty("held_reason");
  });

  it("excludes both ends of a time range", async () => {
    const boundary = firstRows[50]!;
    const after = await walk(`/v1/webhooks/${first}/deliveries`, { created_after: boundary.createdAt.toISOString() }, 100);
    expect(after).not.toContain(boundary.id);
    const before = await walk(`/v1/webhooks/${first}/deliveries`, { created_before: boundary.createdAt.toISOString() }, 100);
    expect(before).not.toContain(boundary.id);
    const justBefore = new Date(boundary.createdAt.getTime() - 1).toISOString();
    expect(await walk(`/v1/webhooks/${first}/deliveries`, { created_after: justBefore }, 100)).toContain(boundary.id);
  });

  it("reads times with an offset", async () => {
    const boundary = firstRows[50]!;
    const local = new Date(boundary.createdAt.getTime() + 2 * 3600_000).toISOString().replace("Z", "+02:00");
    const ids = await walk(`/v1/webhooks/${first}/deliveries`, { created_before: local }, 100);
    expect(ids).toEqual(expected(rows, { webhook_id: first, created_before: boundary.createdAt.toISOString() }));
  });

  it("keeps paging stable while deliveries arrive", async () => {
    const filter = { status: "failed,retrying" };
    const before = expected(rows, { ...filter, webhook_id: first });
    const seen: string[] = [];
    const firstPage = await api("GET", `/v1/webhooks/${first}/deliveries?${queryString(filter, { limit: "10" })}`, { apiKey: tenant.apiKey });
    seen.push(...firstPage.body.data.map((item: { id: string }) => item.id));

    // Newer deliveries arrive, in the middle of the walk.
    const arriving = await seedDeliveries(tenant.organizationId, seedsFor(first, 30, 99, new Date(Date.now())));
    let cursor: string | null = firstPage.body.next_cursor;
    while (cursor) {
      const page = await api("GET", `/v1/webhooks/${first}/deliveries?${queryString(filter, { limit: "10", cursor })}`, { apiKey: tenant.apiKey });
      seen.push(...page.body.data.map((item: { id: string }) => item.id));
      cursor = page.body.next_cursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);

    // A fresh walk starts with the new ones.
    rows.push(...arriving);
    firstRows.push(...arriving);
    const fresh = await walk(`/v1/webhooks/${first}/deliveries`, filter, 10);
    expect(fresh).toEqual(expected(rows, { ...filter, webhook_id: first }));
    expect(fresh.length).toBeGreaterThan(before.length);
  });

  it("keeps other organisations' deliveries out", async () => {
    const foreignIds = new Set((await walk("/v1/deliveries", {}, 100, other)));
    expect(foreignIds.size).toBe(40);
    for (const [, filter] of cases()) {
      const ids = await walk("/v1/deliveries", filter, 100);
      for (const id of ids) expect(foreignIds.has(id)).toBe(false);
    }
    const foreignDelivery = [...foreignIds][0]!;
    const lookedUp = await api("GET", `/v1/deliveries?delivery_id=${foreignDelivery}`, { apiKey: tenant.apiKey });
    expect(lookedUp.body.data).toEqual([]);
    expect((await api("GET", `/v1/webhooks/${foreign}/deliveries`, { apiKey: tenant.apiKey })).status).toBe(404);
    const named = await api("GET", `/v1/deliveries?webhook_id=${foreign}`, { apiKey: tenant.apiKey });
    expect(named.status).toBe(422);
    expect(named.body.errors).toEqual([{ field: "query/webhook_id", message: `No webhook ${foreign} in your organisation` }]);
  });

  it.each([
    ["status=lost", "query/status", /Unknown status "lost"/],
    ["status=", "query/status", /at least one status/],
    ["event_type=finding.deleted", "query/event_type", /Unknown event type "finding.deleted"/],
    ["subject=fnd 1", "query/subject", /Invalid subject/],
    ["delivery_id=evt_01KBQ4B1F6H3Y8D2K9W4S7T0VA", "query/delivery_id", /Invalid delivery id/],
    ["event_id=42", "query/event_id", /Invalid event id/],
    ["created_after=yesterday", "query/created_after", /ISO 8601/],
    ["created_after=2026-12-01T09:00:00", "query/created_after", /time zone/],
    ["created_after=2026-12-02T00:00:00Z&created_before=2026-12-01T00:00:00Z", "query/created_before", /later than created_after/],
    ["cursor=wh_01KBQ4B1F6H3Y8D2K9W4S7T0VA", "query/cursor", /Invalid cursor/],
    ["limit=0", "query/limit", /./],
    ["state=failed", "query/state", /Unknown field "state"/],
  ])("rejects %s", async (query, field, message) => {
    for (const path of [`/v1/webhooks/${first}/deliveries`, "/v1/deliveries"]) {
      const response = await api("GET", `${path}?${query}`, { apiKey: tenant.apiKey });
      expect(response.status, path).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const error = response.body.errors.find((item: { field: string }) => item.field === field);
      expect(error, JSON.stringify(response.body.errors)).toBeDefined();
      expect(error.message).toMatch(message);
    }
  });

  it("rejects a webhook filter on a webhook's own list", async () => {
    const response = await api("GET", `/v1/webhooks/${first}/deliveries?webhook_id=${second}`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].field).toBe("query/webhook_id");
  });

  it("needs the read scope", async () => {
    const publisher = await createTenant("Producer", ["events:publish"]);
    expect((await api("GET", "/v1/deliveries", { apiKey: publisher.apiKey })).status).toBe(403);
    expect((await api("GET", "/v1/deliveries")).status).toBe(401);
  });
});
