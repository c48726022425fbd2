import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { EVENT_TYPES } from "../lib/events/catalog";

/** Collects every request a page makes to another origin; the public reference pages must load nothing from elsewhere. */
function recordForeignRequests(page: Page, baseUrl: string): string[] {
  const foreign: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith("data:")) foreign.push(request.url());
  });
  return foreign;
}

test("API reference renders every operation", async ({ page, baseURL }) => {
  const foreign = recordForeignRequests(page, baseURL!);
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  for (const operationId of ["createWebhook", "publishEvent", "listEventTypes", "replayDelivery"]) {
    await expect(page.locator(`section#${operationId}`)).toBeVisible();
  }
  await expect(page.locator("#problem-idempotency-key-reused")).toContainText("409");
  await expect(page.locator("section#publishEvent")).toContainText("Idempotency-Key");
  await page.screenshot({ path: test.info().outputPath("docs-api.png"), fullPage: true });
  expect(foreign).toEqual([]);
});

test("webhook events page shows each type and the verification examples", async ({ page, baseURL }) => {
  const foreign = recordForeignRequests(page, baseURL!);
  await page.goto("/docs/events#verifying-signatures");
  await expect(page.getByRole("heading", { name: "Webhook events", level: 1 })).toBeVisible();
  for (const { type } of EVENT_TYPES) await expect(page.locator(`section[id="${type}"] h2`)).toHaveText(type);
  const section = page.locator("#verifying-signatures");
  await expect(section).toBeVisible();
  for (const file of ["verify.ts", "verify.py", "verify.sh", "verify-standardwebhooks.ts"]) {
    const source = readFileSync(path.join(import.meta.dirname, "..", "docs", "examples", file), "utf8");
    const codeBlocks = await section.locator("pre code").allTextContents();
    expect(codeBlocks, file).toContain(source);
  }
  await page.screenshot({ path: test.info().outputPath("docs-events.png"), fullPage: true });
  expect(foreign).toEqual([]);
});

test("unknown API paths and methods answer with problem details", async ({ request }) => {
  const missing = await request.get("/v1/no-such-thing");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["content-type"]).toBe("application/problem+json");
  const wrongMethod = await request.put("/v1/webhooks", { data: {} });
  expect(wrongMethod.status()).toBe(405);
  expect(wrongMethod.headers()["allow"]).toBe("GET, HEAD, OPTIONS, POST");
  expect((await wrongMethod.json()).type).toMatch(/method-not-allowed$/);
  const undecodable = await request.get("/v1/webhooks/%E0%A4%A");
  expect(undecodable.status()).toBe(400);
  expect(undecodable.headers()["content-type"]).toBe("application/problem+json");
  const document = await request.get("/v1/openapi.json");
  expect(document.status()).toBe(200);
  expect((await document.json()).openapi).toBe("3.1.0");
});
