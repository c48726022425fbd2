import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../lib/accounts/sign-in";
import { API_KEY_FAILURES, PASSWORD_FAILURES } from "../../lib/auth/failure-throttle";
import { setTimeSource } from "../../lib/clock";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser } from "../support/portal";

/**
 * Guessing credentials from one address is slowed, then refused, while the
 * same credentials keep working from elsewhere and the address recovers by
 * itself. The deliberate delays are recorded rather than waited out.
 */
let now = Date.parse("2026-06-01T12:00:00Z");
let pauses: number[] = [];

function useTestTime(): void {
  now = Date.parse("2026-06-01T12:00:00Z");
  pauses = [];
  setTimeSource({ now: () => now, pause: async (ms) => void pauses.push(ms) });
}

afterEach(() => setTimeSource(null));

function from(address: string): Record<string, string> {
  return { "x-forwarded-for": address };
}

describe("API key guessing", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant("Guessing target");
  });

  it("slows, then rejects, one guessing address", async () => {
    useTestTime();
    const wrongKey = `${tenant.apiKey.slice(0, 13)}${"x".repeat(32)}`;
    for (let attempt = 1; attempt <= API_KEY_FAILURES.refuseAt; attempt++) {
      const response = await api("GET", "/v1/webhooks", { apiKey: wrongKey, headers: from("198.51.100.9") });
      expect(response.status).toBe(401);
    }
    expect(pauses[0]).toBe(API_KEY_FAILURES.delayStepMs);
    expect(pauses.at(-1)).toBe(API_KEY_FAILURES.maxDelayMs);
    expect(pauses).toHaveLength(API_KEY_FAILURES.refuseAt - API_KEY_FAILURES.freeFailures);

    const refused = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: from("198.51.100.9") });
    expect(refused.status).toBe(429);
    expect(refused.body.type).toMatch(/too-many-failed-attempts$/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.body.retry_after).toBe(retryAfter);
    expect(JSON.stringify(refused.body)).not.toContain(tenant.apiKey);

    const elsewhere = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: from("198.51.100.10") });
    expect(elsewhere.status).toBe(200);

    now += retryAfter * 1000;
    const recovered = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: from("198.51.100.9") });
    expect(recovered.status).toBe(200);
  });

  it("counts a whole IPv6 /64 as one address", async () => {
    useTestTime();
    for (let attempt = 1; attempt <= API_KEY_FAILURES.refuseAt; attempt++) {
      await api("GET", "/v1/webhooks", { apiKey: "wvk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", headers: from(`2001:db8:5:6::${attempt.toString(16)}`) });
    }
    const sameNetwork = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: from("2001:db8:5:6:ffff::1") });
    expect(sameNetwork.status).toBe(429);
    const otherNetwork = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: from("2001:db8:5:7::1") });
    expect(otherNetwork.status).toBe(200);
  });
});

describe("password guessing", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant("Password guessing target");
  });

  it("rejects an address guessing across accounts", async () => {
    useTestTime();
    const victim = await createPortalUser(tenant.organizationId, "admin");
    const meta = (sourceIp: string) => ({ sourceIp, userAgent: "integration test", now: new Date(now) });
    // Spread over unknown emails and the victim, so no single account reaches its own lockout.
    for (let attempt = 1; attempt <= PASSWORD_FAILURES.refuseAt; attempt++) {
      const email = attempt % 4 === 0 ? victim.email : `nobody-${attempt}@example.com`;
      expect(await signInWithPassword(email, "guess", meta("203.0.113.40"))).toEqual({ ok: false, reason: "invalid_credentials" });
    }
    expect(pauses[0]).toBe(PASSWORD_FAILURES.delayStepMs);
    expect(pauses).toHaveLength(PASSWORD_FAILURES.refuseAt - PASSWORD_FAILURES.freeFailures);

    expect(await signInWithPassword(victim.email, victim.password, meta("203.0.113.40"))).toEqual({ ok: false, reason: "throttled" });
    const owner = await signInWithPassword(victim.email, victim.password, meta("203.0.113.41"));
    expect(owner.ok).toBe(true);

    now += PASSWORD_FAILURES.windowMs;
    expect((await signInWithPassword(victim.email, victim.password, meta("203.0.113.40"))).ok).toBe(true);
  });
});
