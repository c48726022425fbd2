import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../lib/accounts/api-keys";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { pool } from "../../lib/db";
import { checkJsonContentType } from "../../lib/http/content-type";
import type { Operation } from "../../lib/http/handler";
import { readQueryParameters } from "../../lib/http/query-parameters";
import { api, type ApiResult } from "../support/api";
import {
  ALL_OPERATIONS,
  type Caller,
  caseOf,
  isMutating,
  ORGANIZATION_ROWS,
  operationUrl,
  pathIds,
  seedTenantsForSuite,
} from "../support/operation-cases";

/**
 * Generated hostile requests against the real route handlers and database,
 * for every operation with a body or a query. They include malformed JSON,
 * wrong content types, deep nesting, huge strings, unicode edge cases,
 * numbers out of range, duplicate keys, wrong types and extra fields. Each
 * must get a 4xx problem, never a 500, and store nothing. Runs are seeded, so a failure
 * reproduces; FAST_CHECK_SEED picks another seed.
 */
const SEED = Number(process.env.FAST_CHECK_SEED ?? 20261204);
const RUNS = 30;

// Strings that have broken parsers, databases and log viewers elsewhere.
const EDGE_CHARACTERS = ["\u0000", "\ud800", "\udfff", "\u202e", "\u200b", "\u200d", "\ufeff", "\u2028", "\uffff", "e\u0301", "\u{1F600}", "\\", '"', "'", "%00", "${x}", "<script>"];
const edgeString = fc
  .array(fc.oneof(fc.constantFrom(...EDGE_CHARACTERS), fc.string({ unit: "binary", maxLength: 8 })), { maxLength: 12 })
  .map((parts) => parts.join(""));
const hugeString = fc.integer({ min: 2_000, max: 300_000 }).map((length) => "A".repeat(length));
const strangeNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.0001, 2 ** 31, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
// Around the parser's limit of 32 levels: shallower values reach the schema, deeper ones are rejected as JSON.
const nested = fc.integer({ min: 20, max: 40 }).map((depth) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown);
const hostileValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), edgeString, hugeString, strangeNumber, nested, fc.constant(null));

type Mutation = (base: Record<string, unknown>) => unknown;

/** Changes a valid body into a hostile one: a field set to a hostile value, a field dropped, an extra field, or another value altogether. */
const bodyMutation: fc.Arbitrary<{ label: string; apply: Mutation }> = fc.oneof(
  fc.tuple(fc.nat(), hostileValue).map(([index, value]) => ({
    label: "known field set to a hostile value",
    apply: (base: Record<string, unknown>) => {
      const keys = Object.keys(base);
      return { ...base, [keys[index % keys.length]!]: value };
    },
  })),
  fc.nat().map((index) => ({
    label: "known field dropped",
    apply: (base: Record<string, unknown>) => {
      const keys = Object.keys(base);
      const { [keys[index % keys.length]!]: _dropped, ...rest } = base;
      return rest;
    },
  })),
  fc.tuple(fc.oneof(edgeString, fc.string({ minLength: 1 })), hostileValue).map(([key, value]) => ({
    label: "extra field",
    apply: (base: Record<string, unknown>) => ({ ...base, [key]: value }),
  })),
  hostileValue.map((value) => ({ label: "another value", apply: () => value })),
);

/** Raw bodies that are not valid JSON objects, built from the valid body's text. */
const rawBody = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.nat({ max: valid.length - 1 }).map((cut) => valid.slice(0, cut)),
    fc.constant(valid.replace("{", `{${valid.slice(1, valid.indexOf(",") > 0 ? valid.indexOf(",") + 1 : -1)}`)),
    fc.integer({ min: 33, max: 5_000 }).map((depth) => `${valid.slice(0, -1)}, "x": ${"[".repeat(depth)}${"]".repeat(depth)}}`),
    fc.constantFrom("\\u0000", "\\ud800", "\\udfff", "a\\udc00b").map((escape) => valid.replace(/":\s*"/, `": "${escape}`)),
    fc.string({ unit: "binary", maxLength: 64 }),
    fc.constantFrom("", " ", "null", "[]", "1e999", "-0", '"text"', "\ufeff{}", "{,}", '{"a":1,}', "{'a':1}", "{\"a\":NaN}", "{\"a\":01}", "{}}"),
  );

const otherContentType = fc.oneof(
  fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "application/jsonx", "json", " "),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 40 }),
).filter((type) => !checkJsonContentType(type.trim()).ok && type.trim() !== "" && !/[\r\n]/.test(type));

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(ORGANIZATION_ROWS)) {
    counts[table] = Number((await pool().query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  }
  return counts;
}

function expectProblem(response: ApiResult, context: string, statuses?: number[]): void {
  expect(response.status, `${context}: ${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${context}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
  if (statuses) expect(statuses, `${context}: ${response.status}`).toContain(response.status);
  expect(response.headers.get("content-type"), context).toBe("application/problem+json");
  expect(typeof response.body.detail, context).toBe("string");
  expect(response.text, context).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe("hostile input", () => {
  const seeded = seedTenantsForSuite({ tenant: "Acme Security" });

  // Each property gets a caller of its own, so the per-caller rate limits never respond in place of the checks.
  async function freshCaller(operation: Operation): Promise<Caller> {
    if (operation.sessionOnly) return seeded.tenant.admin;
    const key = await createApiKey(seeded.tenant.organizationId, { name: `hostile ${operation.id}`, scopes: [...SCOPES] }, SYSTEM_ACTOR);
    return { label: "key", via: "api_key", apiKey: key.key };
  }

  function send(operation: Operation, caller: Caller, body: string | undefined, contentType: string | undefined, query = ""): Promise<ApiResult> {
    const headers: Record<string, string> = { ...caller.headers };
    if (contentType !== undefined) headers["content-type"] = contentType;
    return api(operation.method, operationUrl(operation, pathIds(operation, seeded.tenant.objects)) + query, { apiKey: caller.apiKey, headers, rawBody: body });
  }

  /** Checks a property on the operation with a caller of its own, and that no table gained or lost a row. */
  async function expectStoresNothing<T>(operation: Operation, generated: fc.Arbitrary<T>, check: (caller: Caller, value: T) => Promise<void>): Promise<void> {
    const caller = await freshCaller(operation);
    const before = await rowCounts();
    await fc.assert(
      fc.asyncProperty(generated, (value) => check(caller, value)),
      { numRuns: RUNS, seed: SEED },
    );
    expect(await rowCounts()).toEqual(before);
  }

  const BODY_OPERATIONS = ALL_OPERATIONS.filter((operation) => operation.body).map((operation) => [operation.id, operation] as const);
  const QUERY_OPERATIONS = ALL_OPERATIONS.filter((operation) => operation.query).map((operation) => [operation.id, operation] as const);

  it("finds the operations to attack", () => {
    expect(BODY_OPERATIONS.map(([id]) => id)).toEqual(expect.arrayContaining(["createWebhook", "updateWebhook", "publishEvent", "createApiKey"]));
    expect(QUERY_OPERATIONS.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(BODY_OPERATIONS)("%s", (_id, operation) => {
    const valid = caseOf(operation).body as Record<string, unknown>;

    it("has a valid example body", () => {
      expect(operation.body!.safeParse(valid).success).toBe(true);
    });

    it("rejects invalid bodies and stores nothing", async () => {
      await expectStoresNothing(operation, bodyMutation, async (caller, mutation) => {
        const text = JSON.stringify(mutation.apply(valid)) ?? "";
        // Only bodies the schema rejects: a mutation may by chance produce a valid one.
        fc.pre(text === "" || !operation.body!.safeParse(JSON.parse(text)).success);
        const response = await send(operation, caller, text, "application/json");
        expectProblem(response, mutation.label);
      });
    });

    it("rejects malformed JSON and stores nothing", async () => {
      await expectStoresNothing(operation, rawBody(JSON.stringify(valid)), async (caller, text) => {
        const response = await send(operation, caller, text, "application/json");
        expectProblem(response, JSON.stringify(text.slice(0, 80)));
      });
    });

    it("rejects a valid body sent as another type", async () => {
      await expectStoresNothing(operation, fc.option(otherContentType, { nil: undefined }), async (caller, contentType) => {
        const response = await send(operation, caller, JSON.stringify(valid), contentType);
        expectProblem(response, String(contentType), [415]);
      });
    });
  });

  describe.each(QUERY_OPERATIONS)("%s", (_id, operation) => {
    const known = Object.keys((operation.query as unknown as { shape: Record<string, unknown> }).shape);
    const queryValue = fc.oneof(
      edgeString,
      fc.string({ maxLength: 40 }),
      fc.constantFrom("", "0", "-1", "101", "1e3", "0x10", " 5", "5 ", "NaN", "99999999999999999999", "null", "[]", "a,b,,", "dlv_", "wh_' OR 1=1 --"),
      fc.integer({ min: 1, max: 100 }).map(String),
      fc.constantFrom("2026-12-01T09:00:00Z", "2026-13-45T99:00:00Z", "1970-01-01T00:00:00+14:00", "275760-09-13T00:00:00Z"),
    );
    const queryString = fc.oneof(
      fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...known), edgeString, fc.string({ maxLength: 10 })), queryValue), { maxLength: 4 })
        .map((pairs) => new URLSearchParams(pairs).toString()),
      fc.constantFrom("%", "%ZZ", "limit=%C0%80", "cursor=%00", "status=%E2%80%AE", "a=1&a=2", "=", "&&&", "limit"),
    );

    it("answers each query with 200, a 400 or a 422 problem", async () => {
      await expectStoresNothing(operation, queryString, async (caller, query) => {
        const target = new URL(operationUrl(operation, pathIds(operation, seeded.tenant.objects)) + "?" + query, "http://localhost");
        const read = readQueryParameters(target.searchParams);
        // A change with a valid query changes something, such as a rotation, so it gets only queries its schema rejects.
        if (isMutating(operation)) fc.pre(!read.ok || !operation.query!.safeParse(read.values).success);
        const response = await send(operation, caller, undefined, undefined, "?" + query);
        if (!read.ok) expectProblem(response, query, [400]);
        else if (operation.query!.safeParse(read.values).success) expect(response.status, `${query}: ${response.text.slice(0, 300)}`).toBe(200);
        else expectProblem(response, query, [422]);
      });
    });

    it("rejects a repeated parameter with 400 naming it", async () => {
      const caller = await freshCaller(operation);
      for (const name of [known[0]!, "unknown_parameter"]) {
        const response = await send(operation, caller, undefined, undefined, `?${name}=1&${name}=2`);
        expectProblem(response, name, [400]);
        expect(response.body.type).toMatch(/bad-request$/);
        expect(response.body.detail).toContain(`"${name}"`);
      }
    });
  });
});
