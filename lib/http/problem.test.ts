import { describe, expect, it } from "vitest";
import { ApiError, problemOf, problems } from "./problem";

const API_KEY = "wvk_8bUca7Se_Q07cYhTNzn9inGEMX372kuKoJ7y04Sib";
const SIGNING_SECRET = "whsec_B/q17xWkoFc5TvivzZpQ9RrR/WBwHgnzVX2IO5BsyRc=";

describe("problemOf", () => {
  it("hides a key quoted in the detail", () => {
    const body = problemOf(problems.unsupportedMediaType(`text/${API_KEY}`), "req_1");
    expect(body.detail).not.toContain(API_KEY);
    expect(body.detail).toContain("[REDACTED]");
  });

  it("hides secrets named as fields", () => {
    const body = problemOf(
      problems.validation([
        { field: API_KEY, message: `Unknown field "${API_KEY}": remove it or check its spelling` },
        { field: `query/${SIGNING_SECRET}`, message: "Unknown field" },
      ]),
      "req_2",
    );
    expect(JSON.stringify(body)).not.toContain(API_KEY);
    expect(JSON.stringify(body)).not.toContain(SIGNING_SECRET);
    expect(body.errors?.[0]?.message).toBe('Unknown field "[REDACTED]": remove it or check its spelling');
  });

  it("keeps ordinary details as written", () => {
    const error = new ApiError({ status: 409, type: "conflict", title: "Conflict", detail: "The current secret cannot be revoked: rotate first" });
    expect(problemOf(error, "req_3").detail).toBe("The current secret cannot be revoked: rotate first");
  });
});

describe("problems.dailyCapReached", () => {
  const cap = {
    webhookId: "wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK",
    used: 50,
    cap: 50,
    resetsAt: new Date("2026-12-02T00:00:00.000Z"),
    retryAfterSeconds: 3600,
    rejected: { kind: "change" } as const,
  };
  const facts =
    "Webhook wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK has used its daily delivery cap (50 of 50 deliveries today, UTC): new deliveries are held, " +
    "and changes to its URL, event types and description are rejected until the cap resets at 2026-12-02T00:00:00.000Z (in 3600 s). ";

  it("tells API clients to PATCH the webhook", () => {
    const detail = problems.dailyCapReached({ ...cap, caller: "api_key" }).message;
    expect(detail).toBe(facts + "Raise daily_cap with PATCH /v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK to lift it now");
  });

  it("points portal users to the Usage tab", () => {
    const detail = problems.dailyCapReached({ ...cap, caller: "session" }).message;
    expect(detail).toBe(facts + "Raise the daily cap on the webhook's Usage tab to lift it now");
  });

  it("names a replay of an uncounted delivery", () => {
    const detail = problems.dailyCapReached({ ...cap, caller: "api_key", rejected: { kind: "replay", deliveryId: "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA" } }).message;
    expect(detail).toBe(
      "Webhook wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK has used its daily delivery cap (50 of 50 deliveries today, UTC): new deliveries are held, " +
        "and delivery dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA, which the cap has not counted, cannot be replayed until the cap resets at 2026-12-02T00:00:00.000Z (in 3600 s). " +
        "Raise daily_cap with PATCH /v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK to lift it now",
    );
  });

  it("gives both callers the same extensions", () => {
    const fromApi = problems.dailyCapReached({ ...cap, caller: "api_key" }).extensions;
    const fromPortal = problems.dailyCapReached({ ...cap, caller: "session" }).extensions;
    expect(fromPortal).toEqual(fromApi);
  });
});
