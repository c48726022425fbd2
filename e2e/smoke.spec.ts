import { expect, test } from "@playwright/test";
import { e2eState } from "./support/state";

test("API answers a seeded key over real HTTP", async ({ request }) => {
  const state = e2eState();
  const response = await request.get("/v1/webhooks", { headers: { authorization: `ApiKey ${state.apiKey}` } });
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ data: [], next_cursor: null });
});

test("home page renders in Chromium", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "WASViking Webhooks" })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("home.png"), fullPage: true });
});
