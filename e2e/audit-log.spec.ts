import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, type Page, test } from "@playwright/test";
import { screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

const execFileAsync = promisify(execFile);

/**
 * The audit log in the portal: an admin's own actions appear with their
 * readable labels, the action filter shows exactly the matching entries,
 * details are shown as text, and viewers can neither see nor open the page.
 */
const ADMIN_EMAIL = "auditor@audit.test";
const MARKUP = "<b data-injected>bold</b><img src=x onerror=window.__injected=1>";

async function createOwnOrganisation(): Promise<void> {
  const state = e2eState();
  // An organisation of its own, so entries of other specs cannot change what the filters show.
  await execFileAsync("npx", ["tsx", "e2e/support/create-tenant.ts", "Audit Trail", ADMIN_EMAIL, state.password], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: state.databaseUrl, LOG_LEVEL: "warn" },
  });
}

/** Sends the portal's own API calls from the signed-in page, so the admin's session is the actor. */
async function portalCall(page: Page, method: string, target: string, body?: unknown): Promise<any> {
  return page.evaluate(
    async ({ method, target, body }) => {
      const response = await fetch(target, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
      if (!response.ok) throw new Error(`${method} ${target} answered ${response.status}: ${await response.text()}`);
      return response.status === 204 ? null : response.json();
    },
    { method, target, body },
  );
}

test("admin filters the audit log by action", async ({ page }) => {
  await createOwnOrganisation();
  await signIn(page, ADMIN_EMAIL, e2eState().password);

  const siem = await portalCall(page, "POST", "/v1/webhooks", { url: "https://siem.example.com/hooks/audit", events: ["finding.created"], description: "SIEM" });
  const cmdb = await portalCall(page, "POST", "/v1/webhooks", { url: "https://cmdb.example.com/hooks/audit", events: ["asset.first_seen"], description: "CMDB" });
  await portalCall(page, "POST", `/v1/webhooks/${siem.id}/rotate`);
  await portalCall(page, "PATCH", `/v1/webhooks/${siem.id}`, { daily_cap: 1234 });
  await portalCall(page, "PATCH", `/v1/webhooks/${cmdb.id}`, { description: MARKUP });
  await portalCall(page, "PATCH", `/v1/webhooks/${cmdb.id}`, { enabled: false });

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const rows = page.locator("tr[data-audit-entry-id]");
  // Newest first: the two changes to cmdb, the cap, the rotation, two creations, the sign-in and the API key.
  await expect(rows).toHaveCount(8);
  await expect(rows.first()).toContainText("Webhook disabled");
  await expect(rows.first()).toContainText("Ari Auditor");
  await screenshot(page, "audit-log");

  await page.getByLabel("Action").selectOption({ label: "Signing secrets revealed" });
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("Signing secret rotated, new secret revealed");
  await expect(rows.nth(1)).toContainText("Webhook created, signing secret revealed");
  await expect(rows.nth(1)).toContainText(cmdb.id);
  await expect(rows.nth(2)).toContainText(siem.id);
  for (const row of await rows.all()) await expect(row).toContainText(ADMIN_EMAIL);

  await page.getByLabel("Action").selectOption({ label: "Daily cap changed" });
  await expect(rows).toHaveCount(1);
  const cap = rows.first();
  await expect(cap).toHaveAttribute("data-action", "webhook.daily_cap_changed");
  await cap.getByRole("button", { name: "Details" }).click();
  const details = page.locator("[data-inert-text]");
  await expect(details).toContainText('"daily_cap"');
  await expect(details).toContainText("1234");
  await screenshot(page, "audit-log-cap-change");
  await page.reload();
  await expect(page.getByLabel("Action")).toHaveValue("webhook.daily_cap_changed");
  await expect(rows).toHaveCount(1);

  await page.getByLabel("Action").selectOption({ label: "Webhook changed" });
  // The previous filter also showed one row, so the count alone does not prove the new results arrived.
  await expect(rows.first()).toHaveAttribute("data-action", "webhook.updated");
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("button", { name: "Details" }).click();
  await expect(details).toContainText(MARKUP);
  await expect(page.locator("[data-injected]")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();

  await page.getByLabel("Action").selectOption({ label: "Daily cap changed" });
  await rows.first().getByRole("link", { name: siem.id }).click();
  await page.waitForURL(`**/integrations/webhooks/${siem.id}**`);
});

test("viewer cannot open the audit log", async ({ page }) => {
  const state = e2eState();
  await signIn(page, state.viewerEmail, state.password);
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);

  await page.goto("/settings/audit-log");
  await expect(page.getByRole("heading", { name: "Only admins can read the audit log" })).toBeVisible();
  await expect(page.locator("tr[data-audit-entry-id]")).toHaveCount(0);
  await screenshot(page, "audit-log-viewer");

  const status = await page.evaluate(async () => (await fetch("/v1/audit-log")).status);
  expect(status).toBe(403);
});
