import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeCallbackPath } from "./callback-path";

describe("safeCallbackPath", () => {
  it.each(["/integrations/webhooks/wh_01ABC/secrets", "/settings/api-keys?page=2", "/integrations/webhooks#top"])("keeps %s", (path) => {
    expect(safeCallbackPath(path)).toBe(path);
  });

  it.each([
    null,
    "",
    "https://evil.example.org/",
    "//evil.example.org/path",
    "/\\evil.example.org",
    "/\t/evil.example.org",
    "javascript:alert(1)",
    "/login",
    "/api/auth/signout",
    "integrations/webhooks",
  ])("replaces %s with the default page", (value) => {
    expect(safeCallbackPath(value)).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it("normalises dot segments", () => {
    expect(safeCallbackPath("/integrations/../settings/api-keys")).toBe("/settings/api-keys");
  });
});
