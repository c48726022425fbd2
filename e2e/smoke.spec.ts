import { expect, test } from "@playwright/test";
import { e2eState } from "./support/state";

test("API answers a seeded key over real HTTP", async ({ request }) => {
  const state = e2eState();
  const response = await request.get("/v1/webhooks", { headers: { authorization: `ApiKey ${state.apiKey}` } });
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ next_cursor: null });
});

test("home page leads to sign-in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fintegrations%2Fwebhooks$/);
  await expect(page.getByRole("heading", { name: "Sign in to the portal" })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("sign-in.png"), fullPage: true });
});

test("portal answers with anti-framing headers", async ({ request }) => {
  const response = await request.get("/login");
  expect(response.headers()["x-frame-options"]).toBe("DENY");
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});
