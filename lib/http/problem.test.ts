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
