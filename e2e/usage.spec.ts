import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { DAY_MS } from "../lib/caps/window";
import { bucketTitle } from "../lib/portal/usage";
import { startReceiver, type TestReceiver } from "../tests/support/receiver";
import { screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * The Usage tab shows the real numbers. A webhook with a cap of 5 gets 7
 * events through the API and the real worker, so 5 reach a real receiver and
 * 2 are held. Earlier days come from the usage counters. The tab shows the
 * gauge, the banner, both charts and their tables. A test event still goes
 * out and counts nothing, the held deliveries are released from the tab, and
 * the organisation overview lists the webhook by its use.
 */
test.describe.configure({ mode: "serial" });

const execFileAsync = promisify(execFile);
const EMAIL = "usage-admin@acme.test";
const CAP = 5;
const EVENTS = 7;

let receiver: TestReceiver;
let apiKey = "";
let webhookId = "";

async function seed(...args: string[]): Promise<any> {
  const { stdout } = await execFileAsync("npx", ["tsx", "e2e/support/seed-usage.ts", ...args], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, LOG_LEVEL: "warn" },
  });
  return JSON.parse(stdout);
}

async function callApi(method: string, target: string, body?: unknown): Promise<any> {
  const response = await fetch(new URL(target, e2eState().baseUrl), {
    method,
    headers: { authorization: `ApiKey ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${target} failed with status ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Reads the table of one usage chart, row by row, as the cells' text. */
async function tableOf(figure: Locator): Promise<string[][]> {
  await figure.getByRole("button", { name: "Show table" }).click();
  const rows = figure.getByRole("table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  return rows.evaluateAll((elements) => elements.map((row) => [...row.querySelectorAll("th, td")].map((cell) => cell.textContent?.trim() ?? "")));
}

async function openUsageTab(page: Page): Promise<void> {
  await page.goto(`/integrations/webhooks/${webhookId}/usage`);
  // The tab waits for two usage reports; on a machine busy with other work they took more than the default 5 s.
  await expect(page.getByRole("heading", { name: "Usage", level: 2 })).toBeVisible({ timeout: 20_000 });
}

test.beforeAll(async () => {
  receiver = await startReceiver();
  apiKey = (await seed("organisation", "Usage Team", EMAIL, e2eState().password)).apiKey;
  const webhook = await callApi("POST", "/v1/webhooks", { url: receiver.url, events: ["finding.created"], description: "SIEM with a small cap", daily_cap: CAP });
  webhookId = webhook.id;
  await seed("history", webhookId);
  for (let index = 0; index < EVENTS; index++) {
    await callApi("POST", "/v1/events", {
      type: "finding.created",
      data: {
        finding_id: `fnd_usage_${index}`,
        title: "Exposed admin console",
        severity: "high",
        category: "exposed-admin-interface",
        asset: { id: "ast_usage", kind: "hostname", name: "ci.example.com" },
        detected_at: new Date().toISOString(),
        portal_url: `https://app.wasviking.com/findings/fnd_usage_${index}`,
      },
    });
  }
  await receiver.waitForRequests(CAP, 30_000);
  await expect
    .poll(async () => (await callApi("GET", `/v1/webhooks/${webhookId}/usage?granularity=hour`)).today, { timeout: 30_000 })
    .toMatchObject({ used: CAP, held: EVENTS - CAP, state: "reached" });
  await expect
    .poll(async () => (await callApi("GET", `/v1/webhooks/${webhookId}/usage`)).buckets.at(-1).succeeded, { timeout: 30_000 })
    .toBe(CAP);
});

test.afterAll(async () => {
  await receiver.close();
});

test("usage tab shows real numbers", async ({ page }) => {
  await signIn(page, EMAIL, e2eState().password);
  await openUsageTab(page);

  const banner = page.getByTestId("cap-banner");
  await expect(banner).toContainText("Daily cap reached");
  await expect(banner).toContainText("5 of 5 deliveries today");
  await expect(banner).toContainText("2 deliveries are held");
  const gauge = page.getByRole("meter", { name: "Deliveries today against the daily cap" });
  await expect(gauge).toHaveAttribute("aria-valuenow", "5");
  await expect(gauge).toHaveAttribute("aria-valuemax", "5");
  await expect(gauge).toContainText("100%");
  const figures = page.getByTestId("usage-today");
  await expect(figures).toContainText("5 of 5");
  await expect(figures.getByText("Held now")).toBeVisible();
  await expect(page.getByTestId("daily-usage").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await screenshot(page, "usage-tab-over-cap");

  // The chart's tooltip names the day and its figures.
  const todayBar = page.getByTestId("daily-usage").locator(".recharts-bar-rectangle").last();
  await todayBar.hover();
  const tooltip = page.getByTestId("daily-usage").locator(".recharts-tooltip-wrapper");
  await expect(tooltip).toContainText(bucketTitle(new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS).toISOString(), "day"));
  await expect(tooltip).toContainText("Held by the cap");

  // The same numbers as a table, newest first: today, then the seeded days.
  const daily = await tableOf(page.getByTestId("daily-usage"));
  expect(daily).toHaveLength(30);
  const dayTitle = (daysAgo: number) => bucketTitle(new Date(Math.floor((Date.now() - daysAgo * DAY_MS) / DAY_MS) * DAY_MS).toISOString(), "day");
  expect(daily[0]).toEqual([dayTitle(0), "5", "0", "2", "5", "5"]);
  expect(daily[1]).toEqual([dayTitle(1), "4", "1", "3", "5", "5"]);
  expect(daily[2]).toEqual([dayTitle(2), "0", "0", "0", "0", "5"]);
  expect(daily[3]).toEqual([dayTitle(3), "40", "2", "0", "42", "5"]);
  await screenshot(page, "usage-tab-table");

  const hourly = await tableOf(page.getByTestId("hourly-usage"));
  expect(hourly).toHaveLength(24);
  const hourTotals = hourly.reduce((sum, row) => [sum[0]! + Number(row[1]), sum[1]! + Number(row[3])], [0, 0]);
  expect(hourTotals).toEqual([5, 2]);
});

test("test event delivered over cap", async ({ page }) => {
  await signIn(page, EMAIL, e2eState().password);
  await openUsageTab(page);
  await expect(page.getByTestId("cap-banner")).toContainText("Test events, replays of sent deliveries and secret rotation still work");
  await page.getByRole("button", { name: "Send test event" }).first().click();
  const result = page.getByRole("dialog", { name: "Test event delivered" });
  await expect(result).toBeVisible({ timeout: 20_000 });
  await receiver.waitForRequests(CAP + 1);
  expect(receiver.requests.at(-1)!.headers["wasviking-event"]).toBe("webhook.test");
  await result.getByRole("button", { name: "Close" }).click();
  // Test events do not count: the day's use stays at the cap.
  await expect(page.getByTestId("usage-today")).toContainText("5 of 5");

  // A change to the subscription is rejected, and the notice names where a portal user raises the cap.
  await page.goto(`/integrations/webhooks/${webhookId}/settings`);
  await page.getByLabel("Description").fill("SIEM with a small cap, renamed");
  await page.getByRole("button", { name: "Save changes" }).click();
  const rejection = page.getByRole("alert").filter({ hasText: "daily delivery cap" }).first();
  await expect(rejection).toBeVisible({ timeout: 20_000 });
  await expect(rejection).toContainText("changes to its URL, event types and description are rejected");
  await expect(rejection).toContainText("Raise the daily cap on the webhook's Usage tab to lift it now");
  await expect(rejection).not.toContainText("PATCH");
});

test("admin releases held deliveries", async ({ page }) => {
  await signIn(page, EMAIL, e2eState().password);
  await openUsageTab(page);
  await page.getByRole("button", { name: "Release held deliveries" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Release 2 held deliveries now?" });
  await expect(dialog).toContainText("beyond it");
  await dialog.getByRole("button", { name: "Release now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 held deliveries released" }).first()).toBeVisible();
  // The events, and the test event of the test before.
  await receiver.waitForRequests(EVENTS + 1, 30_000);
  await expect(page.getByTestId("usage-today")).toContainText("7 of 5");
  await expect(page.getByRole("button", { name: "Release held deliveries" })).toBeHidden();

  await page.goto("/integrations/usage");
  const row = page.getByTestId("webhook-cap-table").locator(`tr[data-webhook-id="${webhookId}"]`);
  await expect(row).toContainText("7 · 140%");
  await expect(row).toContainText("Cap reached");
  await expect(row.getByRole("meter")).toHaveAttribute("aria-valuenow", "7");
  await screenshot(page, "usage-overview");
});

test("raised cap clears the banner", async ({ page }) => {
  await signIn(page, EMAIL, e2eState().password);
  await openUsageTab(page);
  const cap = page.getByLabel("Daily cap (deliveries per UTC day)");
  // Number() would read this as 16.
  await cap.fill("0x10");
  await page.getByRole("button", { name: "Save cap" }).click();
  await expect(page.getByText("Enter a whole number of deliveries per day, 1 or more")).toBeVisible();
  await cap.fill("0");
  await page.getByRole("button", { name: "Save cap" }).click();
  await expect(page.getByText("Enter a whole number of deliveries per day, 1 or more")).toBeVisible();
  await cap.fill("10");
  await page.getByRole("button", { name: "Save cap" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Daily cap set to 10 deliveries." }).first()).toBeVisible();
  await expect(page.getByTestId("cap-banner")).toBeHidden();
  await expect(page.getByRole("meter", { name: "Deliveries today against the daily cap" })).toHaveAttribute("aria-valuemax", "10");
});
