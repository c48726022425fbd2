import { gzipSync } from "node:zlib";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_REJECTED_DETAIL } from "../../lib/auth/api-key-auth";
import { API_KEY_FAILURES } from "../../lib/auth/failure-throttle";
import { limitNextAuthBody, MAX_NEXT_AUTH_BODY_BYTES } from "../../lib/auth/next-auth";
import { setTimeSource } from "../../lib/clock";
import { pool } from "../../lib/db";
import { exampleData } from "../../lib/events/examples";
import { logger, redirectLogs } from "../../lib/log";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn } from "../support/portal";

/**
 * Checks of what arrives with a request before any operation runs. The body
 * is not read until the caller is authenticated, and a client that leaves
 * mid-body is logged once. Bodies must be UTF-8 JSON sent uncompressed,
 * webhook URLs are parsed strictly, integer query parameters take plain
 * digits, and occurred_at must fall in its window.
 */
const WEBHOOK = { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] };
const JSON_HEADERS = { "content-type": "application/json" };
const encoder = new TextEncoder();

/** Builds a request body that counts the chunks pulled from it. It never ends unless `chunks` does. */
function trackedBody(chunks: Array<Uint8Array<ArrayBuffer>> | "endless", failure?: Error) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled++;
        if (chunks === "endless") return void controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        const chunk = chunks[pulled - 1];
        if (chunk) controller.enqueue(chunk);
        else if (failure) controller.error(failure);
        else controller.close();
      },
    },
    // Nothing is pulled until the API reads.
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

describe("request bodies before authentication", () => {
  let tenant: Tenant;
  let adminCookie: string;

  beforeAll(async () => {
    tenant = await createTenant("Body order");
    adminCookie = (await signIn(await createPortalUser(tenant.organizationId, "admin"))).cookie;
  });

  afterEach(() => setTimeSource(null));

  it("rejects a wrong key without reading the body", async () => {
    const body = trackedBody("endless");
    const response = await api("POST", "/v1/webhooks", { apiKey: "wvk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", rawBody: body.stream, headers: JSON_HEADERS });
    expect(response.status).toBe(401);
    expect(body.pulled()).toBe(0);
  });

  it("applies the guessing delay and limit before reading the body", async () => {
    const pauses: number[] = [];
    setTimeSource({ now: () => Date.parse("2026-06-01T12:00:00Z"), pause: async (ms) => void pauses.push(ms) });
    const headers = { ...JSON_HEADERS, "x-forwarded-for": "198.51.100.77" };
    for (let attempt = 1; attempt <= API_KEY_FAILURES.refuseAt; attempt++) {
      const body = trackedBody("endless");
      const response = await api("POST", "/v1/events", { apiKey: `${tenant.apiKey.slice(0, 13)}${"x".repeat(32)}`, rawBody: body.stream, headers });
      expect(response.status).toBe(401);
      expect(body.pulled()).toBe(0);
    }
    expect(pauses.length).toBe(API_KEY_FAILURES.refuseAt - API_KEY_FAILURES.freeFailures);

    const body = trackedBody("endless");
    const rejected = await api("POST", "/v1/events", { apiKey: tenant.apiKey, rawBody: body.stream, headers });
    expect(rejected.status).toBe(429);
    expect(body.pulled()).toBe(0);
  });

  it("rejects a request without credentials without reading the body", async () => {
    const body = trackedBody("endless");
    const response = await api("POST", "/v1/webhooks", { rawBody: body.stream, headers: { ...JSON_HEADERS, cookie: "theme=dark" } });
    expect(response.status).toBe(401);
    expect(body.pulled()).toBe(0);
  });

  it("rejects a cross-site portal change without reading the body", async () => {
    const body = trackedBody("endless");
    const response = await api("POST", "/v1/webhooks", { rawBody: body.stream, headers: { ...JSON_HEADERS, cookie: adminCookie, "sec-fetch-site": "cross-site" } });
    expect(response.status).toBe(403);
    expect(body.pulled()).toBe(0);
  });

  it("rejects a key without the scope without reading the body", async () => {
    const reader = await createTenant("Reader only", ["webhooks:read"]);
    const body = trackedBody("endless");
    const response = await api("POST", "/v1/webhooks", { apiKey: reader.apiKey, rawBody: body.stream, headers: JSON_HEADERS });
    expect(response.status).toBe(403);
    expect(body.pulled()).toBe(0);
  });

  it("rejects a compressed or non-UTF-8 body from its headers alone", async () => {
    for (const headers of [{ "content-type": "application/json; charset=iso-8859-1" }, { ...JSON_HEADERS, "content-encoding": "gzip" }]) {
      const body = trackedBody("endless");
      const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, rawBody: body.stream, headers });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(body.pulled()).toBe(0);
    }
  });

  it("reads the body of an authenticated portal change", async () => {
    const body = trackedBody([encoder.encode(JSON.stringify(WEBHOOK))]);
    const response = await api("POST", "/v1/webhooks", { rawBody: body.stream, headers: { ...portalHeaders(adminCookie), ...JSON_HEADERS } });
    expect(response.status).toBe(201);
    expect(body.pulled()).toBeGreaterThan(0);
  });
});

describe("sign-in bodies", () => {
  const signInUrl = "http://localhost:3000/api/auth/callback/credentials";
  const FORM = { "content-type": "application/x-www-form-urlencoded" };
  type NextRequestInit = NonNullable<ConstructorParameters<typeof NextRequest>[1]>;
  const post = (url: string, headers: Record<string, string>, body: ReadableStream<Uint8Array>) =>
    new NextRequest(url, { method: "POST", headers, body, duplex: "half" } as NextRequestInit);

  it("answers 413 to a declared length over the limit without reading", async () => {
    const body = trackedBody("endless");
    const request = post(signInUrl, { ...FORM, "content-length": String(MAX_NEXT_AUTH_BODY_BYTES + 1) }, body.stream);
    const limited = await limitNextAuthBody(request);
    expect(limited).toBeInstanceOf(Response);
    expect((limited as Response).status).toBe(413);
    expect(body.pulled()).toBe(0);
  });

  it("stops reading a body that grows past the limit", async () => {
    const body = trackedBody("endless");
    const request = post(signInUrl, FORM, body.stream);
    const limited = await limitNextAuthBody(request);
    expect((limited as Response).status).toBe(413);
    expect(body.pulled()).toBe(1);
  });

  it("passes a small form on unchanged", async () => {
    const form = "csrfToken=abc&email=ada%40example.com&password=p%40ss&json=true";
    const request = post(`${signInUrl}?from=test`, FORM, trackedBody([encoder.encode(form)]).stream);
    const limited = (await limitNextAuthBody(request)) as NextRequest;
    expect(limited).toBeInstanceOf(NextRequest);
    expect(limited.nextUrl.searchParams.get("from")).toBe("test");
    expect(limited.headers.get("content-type")).toBe(FORM["content-type"]);
    expect(await limited.text()).toBe(form);
  });
});

describe("client disconnecting mid-body", () => {
  let tenant: Tenant;
  let lines: string[] = [];
  let previousLevel: string;

  beforeAll(async () => {
    tenant = await createTenant("Disconnecting client");
    previousLevel = logger.level;
    logger.level = "debug";
    redirectLogs({ write: (line) => lines.push(line) });
  });

  afterAll(() => {
    redirectLogs(null);
    logger.level = previousLevel;
  });

  // Node.js fails a request's body stream this way when the client closes the connection before the end.
  const aborted = () => Object.assign(new Error("aborted"), { code: "ECONNRESET" });

  it.each([
    ["POST", "/v1/webhooks"],
    ["POST", "/v1/events"],
  ])("logs one info line for %s %s and sends no problem", async (method, path) => {
    lines = [];
    const body = trackedBody([encoder.encode('{"url": "https://siem.example.com/'), encoder.encode("hooks")], aborted());
    const response = await api(method, path, { apiKey: tenant.apiKey, rawBody: body.stream, headers: { ...JSON_HEADERS, "x-request-id": "disconnect-test-1" } });

    expect(response.text).toBe("");
    expect(response.headers.get("content-type")).toBeNull();
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const aboutRequest = logged.filter((entry) => entry.requestId === "disconnect-test-1");
    expect(aboutRequest).toHaveLength(1);
    expect(aboutRequest[0]!.level).toBe(30);
    expect(aboutRequest[0]!.msg).toBe("request abandoned: the client closed the connection while sending the body");
    expect(aboutRequest[0]!.receivedBytes).toBe(39);
    expect(aboutRequest[0]).not.toHaveProperty("err");
    expect(lines.join("\n")).not.toMatch(/database|stack/i);
  });

  it("logs a disconnect on an operation without a body", async () => {
    lines = [];
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK });
    const body = trackedBody([encoder.encode("{")], aborted());
    const response = await api("POST", `/v1/webhooks/${created.body.id}/rotate`, { apiKey: tenant.apiKey, rawBody: body.stream, headers: { "x-request-id": "disconnect-test-2" } });
    expect(response.text).toBe("");
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.requestId === "disconnect-test-2");
    expect(logged.map((entry) => [entry.level, entry.msg])).toEqual([[30, "request abandoned: the client closed the connection while sending the body"]]);
  });
});

describe("body encodings", () => {
  let tenant: Tenant;
  let webhookId: string;

  beforeAll(async () => {
    tenant = await createTenant("Encodings");
    webhookId = (await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK })).body.id;
  });

  const send = (rawBody: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>, path = "/v1/webhooks") =>
    api("POST", path, { apiKey: tenant.apiKey, rawBody, headers });

  it.each([
    "application/json; charset=utf-8",
    "application/json; charset=UTF-8",
    'application/json; charset="Utf-8"',
    "application/json; charset=utf8",
    "application/json; charset=UTF8",
    "application/json",
  ])(
    "accepts %j",
    async (contentType) => {
      const response = await send(JSON.stringify({ ...WEBHOOK, description: "Müller's SIEM" }), { "content-type": contentType });
      expect(response.status).toBe(201);
      expect(response.body.description).toBe("Müller's SIEM");
    },
  );

  it.each([
    ["application/json; charset=iso-8859-1", "iso-8859-1"],
    ["application/json; charset=utf-16", "utf-16"],
    ["application/json;charset=windows-1252", "windows-1252"],
  ])("rejects %j with 415 naming the charset", async (contentType, charset) => {
    const response = await send(JSON.stringify(WEBHOOK), { "content-type": contentType });
    expect(response.status).toBe(415);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toMatch(/unsupported-media-type$/);
    expect(response.body.detail).toBe(`The charset "${charset}" is not supported: encode the JSON body as UTF-8 and send Content-Type: application/json`);
  });

  it("decodes a utf8-labelled body strictly", async () => {
    // U+1F600 as CESU-8 (two encoded surrogates), what some databases call "UTF8": not valid UTF-8.
    const cesu8 = Buffer.from("eda0bdedb880", "hex");
    const body = Buffer.concat([Buffer.from('{"url": "https://siem.example.com/in", "events": ["finding.created"], "description": "'), cesu8, Buffer.from('"}')]);
    const response = await send(new Uint8Array(body), { "content-type": "application/json; charset=utf8" });
    expect(response.status).toBe(400);
    expect(response.body.type).toMatch(/invalid-json$/);
  });

  it.each(["gzip", "deflate", "br", "identity, gzip"])("rejects Content-Encoding %j with 415 naming it", async (coding) => {
    const response = await send(gzipSync(JSON.stringify(WEBHOOK)) as Uint8Array<ArrayBuffer>, { ...JSON_HEADERS, "content-encoding": coding });
    expect(response.status).toBe(415);
    expect(response.body.type).toMatch(/unsupported-media-type$/);
    expect(response.body.detail).toContain(`The content encoding "${coding === "identity, gzip" ? "gzip" : coding}" is not supported`);
    expect(response.body.detail).not.toContain("UTF-8");
    expect(response.headers.get("accept-encoding")).toBe("identity");
  });

  it("accepts Content-Encoding identity", async () => {
    const response = await send(JSON.stringify(WEBHOOK), { ...JSON_HEADERS, "content-encoding": "identity" });
    expect(response.status).toBe(201);
  });

  it("rejects a compressed body on an operation without fields", async () => {
    const response = await send(gzipSync("{}") as Uint8Array<ArrayBuffer>, { ...JSON_HEADERS, "content-encoding": "gzip" }, `/v1/webhooks/${webhookId}/rotate`);
    expect(response.status).toBe(415);
    expect(response.body.detail).toContain('"gzip"');
  });

  it("rejects {} in another charset on an operation without fields", async () => {
    const response = await send("{}", { "content-type": "application/json; charset=latin1" }, `/v1/webhooks/${webhookId}/rotate`);
    expect(response.status).toBe(415);
    expect(response.body.detail).toContain('"latin1"');
  });
});

describe("API key rejections", () => {
  it("gives every rejected key the same 401 detail", async () => {
    const tenant = await createTenant("Probe target");
    const revoked = await createTenant("Revoked key owner");
    await pool().query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [revoked.apiKeyId]);
    const authorizations: Record<string, string | undefined> = {
      missing: undefined,
      "another scheme": `Bearer ${tenant.apiKey}`,
      "no key": "ApiKey",
      "malformed key": "ApiKey not-a-key",
      "unknown key": "ApiKey wvk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
      "wrong secret part": `ApiKey ${tenant.apiKey.slice(0, 13)}${"x".repeat(32)}`,
      "revoked key": `ApiKey ${revoked.apiKey}`,
    };
    for (const [label, authorization] of Object.entries(authorizations)) {
      const headers: Record<string, string> = { "x-forwarded-for": "192.0.2.44" };
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await api("GET", "/v1/webhooks", { headers });
      expect(response.status, label).toBe(401);
      expect(response.body.type, label).toMatch(/unauthorized$/);
      expect(response.body.detail, label).toBe(API_KEY_REJECTED_DETAIL);
      expect(Object.keys(response.body).sort(), label).toEqual(["detail", "request_id", "status", "title", "type"]);
    }
  });
});

describe("webhook URLs", () => {
  let tenant: Tenant;
  let webhookId: string;

  beforeAll(async () => {
    tenant = await createTenant("Strict URLs");
    webhookId = (await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK })).body.id;
  });

  it.each([
    ["http:///x", 'The URL has an empty host: nothing comes between "http://" and the next "/"'],
    ["https:/siem.example.com/hooks", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:siem.example.com/hooks", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:\\\\siem.example.com\\hooks", 'The URL contains a backslash at character 7, which URL parsers read as "/": use "/" between path segments, or write a literal backslash as %5C'],
    ["https://siem.example.com/ho\toks", "The URL contains a tab at character 28: remove it"],
    ["https://siem.exa\nmple.com/hooks", "The URL contains a line feed at character 17: remove it"],
    ["https://@siem.example.com/hooks", 'The URL has an "@" with no user name before the host: remove the "@"'],
  ])("rejects %j on create and update, naming the problem", async (url, message) => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url } });
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([{ field: "url", message }]);

    const updated = await api("PATCH", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey, body: { url } });
    expect(updated.status).toBe(422);
    expect(updated.body.errors).toEqual([{ field: "url", message }]);
  });

  it("stores nothing for a rejected URL", async () => {
    await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url: "http:///x" } });
    const stored = await pool().query(`SELECT url FROM subscriptions WHERE organization_id = $1`, [tenant.organizationId]);
    expect(stored.rows.map((row) => row.url)).toEqual([WEBHOOK.url]);
  });

  it("keeps a backslash in the query as sent", async () => {
    const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url: "https://siem.example.com/hooks?share=C:\\in" } });
    expect(response.status).toBe(201);
    expect(response.body.url).toBe("https://siem.example.com/hooks?share=C:\\in");
  });
});

describe("integer query parameters", () => {
  let tenant: Tenant;
  let adminCookie: string;

  beforeAll(async () => {
    tenant = await createTenant("Plain digits");
    adminCookie = (await signIn(await createPortalUser(tenant.organizationId, "admin"))).cookie;
  });

  const MESSAGE = "Use a whole number from 1 to 100 in plain decimal digits, without sign, spaces, exponent or leading zeros";
  const PATHS = ["/v1/webhooks", "/v1/deliveries", "/v1/audit-log", "/v1/api-keys"];

  it.each(["0x10", "1e1", "+5", "-5", "%205", "5%20", "05", "010", "1.0", "", "0", "101", "Infinity"])("rejects limit=%s with 422", async (value) => {
    for (const path of PATHS) {
      const response = await api("GET", `${path}?limit=${value}`, { headers: portalHeaders(adminCookie) });
      expect(response.status, path).toBe(422);
      expect(response.body.type).toMatch(/validation$/);
      expect(response.body.errors, path).toEqual([{ field: "query/limit", message: MESSAGE }]);
    }
  });

  it.each(["1", "10", "100"])("accepts limit=%s", async (value) => {
    for (const path of PATHS) {
      const response = await api("GET", `${path}?limit=${value}`, { headers: portalHeaders(adminCookie) });
      expect(response.status, path).toBe(200);
    }
  });

  it("pages by the number the digits name", async () => {
    for (let index = 0; index < 3; index++) await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK });
    const response = await api("GET", "/v1/webhooks?limit=2", { apiKey: tenant.apiKey });
    expect(response.body.data).toHaveLength(2);
    expect(response.body.next_cursor).not.toBeNull();
  });
});

describe("occurred_at window", () => {
  let tenant: Tenant;
  const now = Date.parse("2026-12-05T12:00:00.000Z");
  const data = exampleData("finding.created");

  beforeAll(async () => {
    tenant = await createTenant("Event window");
  });

  afterEach(() => setTimeSource(null));

  const publish = (occurredAt: string) => {
    setTimeSource({ now: () => now });
    return api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "finding.created", occurred_at: occurredAt, data } });
  };

  it.each([
    ["0000-01-01T00:00:00Z", "more than 7 days before the time of the request"],
    ["0001-01-01T00:00:00Z", "more than 7 days before the time of the request"],
    ["1970-01-01T00:00:00Z", "more than 7 days before the time of the request"],
    ["2026-11-28T11:59:59.999Z", "more than 7 days before the time of the request"],
    ["2026-12-05T12:05:00.001Z", "more than 5 minutes after the time of the request"],
    ["9999-12-31T23:59:59Z", "more than 5 minutes after the time of the request"],
  ])("rejects %s", async (occurredAt, reason) => {
    const response = await publish(occurredAt);
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].field).toBe("occurred_at");
    expect(response.body.errors[0].message).toContain(reason);
    expect(response.body.errors[0].message).toContain("(2026-12-05T12:00:00.000Z)");
  });

  it.each(["2026-11-28T12:00:00Z", "2026-12-05T12:00:00Z", "2026-12-05T12:05:00Z"])("accepts %s", async (occurredAt) => {
    const response = await publish(occurredAt);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body.occurred_at).toBe(new Date(occurredAt).toISOString());
  });

  it("stores nothing for a time outside the window", async () => {
    const before = await pool().query(`SELECT count(*)::int AS n FROM events WHERE organization_id = $1`, [tenant.organizationId]);
    await publish("9999-01-01T00:00:00Z");
    const after = await pool().query(`SELECT count(*)::int AS n FROM events WHERE organization_id = $1`, [tenant.organizationId]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
