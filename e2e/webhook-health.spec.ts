import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { formatDateTime } from "../lib/portal/format";
import { screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * A webhook that has failed for four days shows that it will be disabled, on
 * the list and on its own page, with the date. The run of failures is
 * recorded through the health module, as the worker records it.
 */
test.describe.configure({ mode: "serial" });

const execFileAsync = promisify(execFile);
const EMAIL = "health-admin@acme.test";

async function seed(script: string, ...args: string[]): Promise<any> {
  const { stdout } = await execFileAsync("npx", ["tsx", `e2e/support/${script}`, ...args], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, LOG_LEVEL: "warn" },
  });
  return JSON.parse(stdout);
}

let webhookId = "";
let seeded: { failingSince: string; disableAt: string; consecutiveFailures: number };

test.beforeAll(async () => {
  const { apiKey } = await seed("seed-usage.ts", "organisation", "Health Team", EMAIL, e2eState().password);
  const response = await fetch(new URL("/v1/webhooks", e2eState().baseUrl), {
    method: "POST",
    headers: { authorization: `ApiKey ${apiKey}`, "content-type": "application/json" },
    // Nothing is published to this organisation, so the address is never called.
    body: JSON.stringify({ url: "http://127.0.0.1:9/siem", events: ["finding.created"], description: "SIEM that stopped answering" }),
  });
  expect(response.status).toBe(201);
  webhookId = (await response.json()).id;
  seeded = await seed("seed-health.ts", "warned", webhookId);
});

test("list and page warn before disabling", async ({ page }) => {
  await signIn(page, EMAIL, e2eState().password);
  const locale = await page.evaluate(() => navigator.language);
  const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const disableAt = formatDateTime(seeded.disableAt, locale, timeZone);

  await page.goto("/integrations/webhooks");
  const row = page.getByRole("listitem").filter({ hasText: "SIEM that stopped answering" });
  await expect(row.getByText("Failing", { exact: true })).toBeVisible();
  const listWarning = row.getByTestId("disabling-warning");
  await expect(listWarning).toContainText(`Will be disabled on ${disableAt} unless a delivery succeeds.`);
  await expect(listWarning).toContainText(`${seeded.consecutiveFailures} failed attempts in a row`);
  await screenshot(page, "webhook-health-list");

  await page.goto(`/integrations/webhooks/${webhookId}`);
  const warning = page.getByTestId("disabling-warning");
  await expect(warning).toContainText(`Will be disabled on ${disableAt} unless a delivery succeeds.`);
  await expect(warning).toContainText("one success keeps the webhook enabled");
  await expect(page.getByText("Failing", { exact: true })).toBeVisible();
  await screenshot(page, "webhook-health-page");
});
