import { expect, type Page, test } from "@playwright/test";
import { startReceiver, type TestReceiver } from "../tests/support/receiver";
import { fingerprintOf, readClipboard, screenshot, signIn, verifiesWith } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * The life of a webhook's signing secret, end to end. It is created in the
 * portal, copied from the reveal-once dialog, and used by a real receiver to
 * verify a test delivery. It is then gone from every later page and response,
 * rotated with an overlap in which both secrets verify, and revoked so that
 * only the new one does. A rotation confirmed on a page that another rotation
 * made stale describes, and keeps, the secrets that really sign.
 */
test.describe.configure({ mode: "serial" });

let receiver: TestReceiver;

test.beforeAll(async () => {
  receiver = await startReceiver("/wasviking-hook");
});

test.afterAll(async () => {
  await receiver.close();
});

async function copyRevealedSecret(page: Page): Promise<string> {
  const dialog = page.getByRole("dialog");
  const shown = (await dialog.locator("[data-revealed-value]").textContent()) ?? "";
  await dialog.getByRole("button", { name: "Copy signing secret" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: "Copied to the clipboard" })).toBeVisible();
  const copied = await readClipboard(page);
  expect(copied).toBe(shown);
  expect(copied).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  return copied;
}

async function sendTestEvent(page: Page, screenshotName?: string): Promise<void> {
  const before = receiver.requests.length;
  await page.getByRole("button", { name: "Send test event" }).first().click();
  const result = page.getByRole("dialog", { name: "Test event delivered" });
  await expect(result).toBeVisible({ timeout: 20_000 });
  await expect(result.locator("[data-attempt-result]")).toContainText("HTTP 204");
  await receiver.waitForRequests(before + 1);
  if (screenshotName) await screenshot(page, screenshotName, { fullPage: false });
  await result.getByRole("button", { name: "Close" }).click();
  await expect(result).toBeHidden();
}

/** Calls the API with the organisation's API key, as a script or another admin would, and returns the parsed response body. */
async function callApi(method: string, target: string, body?: unknown): Promise<any> {
  const response = await fetch(new URL(target, e2eState().baseUrl), {
    method,
    headers: { authorization: `ApiKey ${e2eState().apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${target} failed with status ${response.status}: ${text}`);
  return JSON.parse(text);
}

function lastDelivery() {
  return receiver.requests[receiver.requests.length - 1]!;
}

test("signing secret lives once, verifies, rotates and revokes", async ({ page, context, baseURL }) => {
  const state = e2eState();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const responses: Array<{ url: string; body: string }> = [];
  page.on("response", async (response) => {
    if (!response.url().includes("/v1/") && !response.url().includes("/api/")) return;
    responses.push({ url: response.url(), body: await response.text().catch(() => "") });
  });

  await signIn(page, state.adminEmail, state.password);

  // Create the webhook with the SIEM preset.
  await page.getByRole("link", { name: "Create webhook" }).first().click();
  await page.getByLabel("Endpoint URL").fill(receiver.url);
  await page.getByLabel("Description").fill("SIEM ingestion (browser test)");
  await page.getByRole("button", { name: /SIEM ingestion/ }).click();
  await expect(page.getByRole("checkbox", { name: /finding\.sla_breached/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /asset\.first_seen/ })).not.toBeChecked();
  await screenshot(page, "create-webhook-form");
  await page.getByRole("button", { name: "Create webhook" }).click();

  // The reveal-once dialog: copy, and it does not close on Escape or a click outside.
  const reveal = page.getByRole("dialog", { name: "Webhook created: store its signing secret" });
  await expect(reveal).toBeVisible();
  await expect(reveal).toContainText("It will not be shown again");
  await expect(reveal.getByRole("link", { name: "How to verify signatures" })).toHaveAttribute("href", "/docs/events#verifying-signatures");
  const secret = await copyRevealedSecret(page);
  await expect(reveal).toContainText(fingerprintOf(secret));
  await screenshot(page, "reveal-once-secret", { fullPage: false });
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.mouse.click(5, 5);
  await expect(reveal).toBeVisible();
  await reveal.getByRole("button", { name: "I have stored it" }).click();
  await expect(reveal).toBeHidden();
  await page.waitForURL(/\/integrations\/webhooks\/wh_[0-9A-Z]+\/settings$/);
  const webhookId = /webhooks\/(wh_[0-9A-Z]+)/.exec(page.url())![1]!;

  // A test delivery verifies with the copied secret.
  await sendTestEvent(page, "test-event-result");
  expect(verifiesWith(lastDelivery(), secret)).toBe(true);
  expect(lastDelivery().headers["wasviking-event"]).toBe("webhook.test");
  await screenshot(page, "webhook-settings");

  // After a reload the secret is nowhere: page HTML, storage, API responses.
  await page.reload();
  await expect(page.getByRole("heading", { name: receiver.url })).toBeVisible();
  await page.getByRole("link", { name: "Secrets" }).click();
  await expect(page.locator('[data-secret-fingerprint="current"]')).toHaveText(fingerprintOf(secret));
  await page.getByRole("link", { name: "Deliveries" }).click();
  await expect(page.locator("tbody tr")).toHaveCount(1);
  expect(await page.content()).not.toContain(secret);
  const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
  expect(storage).not.toContain(secret);
  expect(storage).not.toContain("whsec_");
  const serverHtml = await (await page.request.get(`/integrations/webhooks/${webhookId}/secrets`)).text();
  expect(serverHtml).not.toContain("whsec_");
  const afterCreate = responses.filter((response) => !(response.url.endsWith("/v1/webhooks") && response.body.includes('"secret"')));
  for (const response of afterCreate) expect(response.body, response.url).not.toContain(secret);
  await page.goBack();
  await page.goBack();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  // Rotate: the new secret is revealed once and both verify during the overlap.
  await page.goto(`/integrations/webhooks/${webhookId}/secrets`);
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const confirmRotation = page.getByRole("alertdialog", { name: "Rotate the signing secret?" });
  await expect(confirmRotation).toContainText(fingerprintOf(secret));
  await screenshot(page, "rotate-confirmation", { fullPage: false });
  await confirmRotation.getByRole("button", { name: "Rotate secret" }).click();
  await expect(page.getByRole("dialog", { name: "New signing secret: store it now" })).toBeVisible();
  const rotated = await copyRevealedSecret(page);
  expect(rotated).not.toBe(secret);
  await page.getByRole("button", { name: "I have stored it" }).click();
  await expect(page.locator('[data-secret-fingerprint="current"]')).toHaveText(fingerprintOf(rotated));
  await expect(page.locator('[data-secret-fingerprint="expiring"]')).toHaveText(fingerprintOf(secret));
  const countdown = page.locator("[data-secret-countdown]");
  await expect(countdown).toContainText(/23 h 59 min|24 h 0 min/);
  const firstReading = await countdown.textContent();
  await expect(countdown).not.toHaveText(firstReading ?? "", { timeout: 3000 });
  await screenshot(page, "secrets-overlap");

  await sendTestEvent(page);
  expect(verifiesWith(lastDelivery(), secret)).toBe(true);
  expect(verifiesWith(lastDelivery(), rotated)).toBe(true);

  // Revoke the old secret: only the new one verifies.
  await page.getByRole("button", { name: "Revoke now" }).click();
  await page.getByRole("alertdialog", { name: "Revoke the previous secret now?" }).getByRole("button", { name: "Revoke secret" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Old secret revoked. Deliveries are now signed with the current secret only." }).first()).toBeVisible();
  await expect(page.locator('[data-secret-fingerprint="expiring"]')).toHaveCount(0);
  await sendTestEvent(page);
  expect(verifiesWith(lastDelivery(), rotated)).toBe(true);
  expect(verifiesWith(lastDelivery(), secret)).toBe(false);

  await page.getByRole("link", { name: "Deliveries" }).click();
  await expect(page.locator("tbody tr")).toHaveCount(3);
  await screenshot(page, "webhook-deliveries");

  // Replaying the oldest test delivery resends it with the same id, signed with the current secret only.
  const oldest = page.locator("tbody tr").last();
  const replayedId = await oldest.getAttribute("data-delivery-id");
  const before = receiver.requests.length;
  await oldest.getByRole("link", { name: replayedId! }).click();
  const panel = page.getByRole("dialog", { name: `Delivery ${replayedId}` });
  await panel.getByRole("button", { name: "Replay" }).click();
  await page.getByRole("alertdialog", { name: "Replay this delivery?" }).getByRole("button", { name: "Replay now" }).click();
  await expect(panel.locator('[data-attempt-number="2"]')).toContainText("Replay", { timeout: 20_000 });
  await receiver.waitForRequests(before + 1);
  expect(lastDelivery().headers["wasviking-delivery"]).toBe(replayedId);
  expect(verifiesWith(lastDelivery(), rotated)).toBe(true);
  expect(verifiesWith(lastDelivery(), secret)).toBe(false);
  await panel.getByRole("button", { name: "Close" }).click();
  await expect(oldest.locator("td").nth(4)).toHaveText("2");
  await page.getByRole("link", { name: "Webhooks", exact: true }).first().click();
  await expect(page.getByRole("link", { name: receiver.url })).toBeVisible();
  await screenshot(page, "webhook-list");

  const html = await page.content();
  expect(html).not.toContain(secret);
  expect(html).not.toContain(rotated);
  const afterRotation = responses.filter((response) => !new URL(response.url).pathname.endsWith("/rotate"));
  for (const response of afterRotation) expect(response.body, response.url).not.toContain(rotated);
});

test("rotation dialog reads the secrets again", async ({ page }) => {
  const state = e2eState();
  const created = await callApi("POST", "/v1/webhooks", { url: receiver.url, events: ["finding.created"], description: "Stale secrets tab (browser test)" });
  const original = fingerprintOf(created.secret);
  await signIn(page, state.adminEmail, state.password);
  await page.goto(`/integrations/webhooks/${created.id}/secrets`);
  const currentOnPage = page.locator('[data-secret-fingerprint="current"]');
  await expect(currentOnPage).toHaveText(original);

  // Another admin rotates; this page does not follow, and still shows the original secret as current.
  const elsewhere = await callApi("POST", `/v1/webhooks/${created.id}/rotate`);
  await expect(currentOnPage).toHaveText(original);

  // Opening the dialog reads the secrets again, so it names the secret that stops signing, and the page catches up.
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Rotate the signing secret?" });
  await expect(dialog).toContainText(`The current secret (${elsewhere.fingerprint}) keeps signing for 24 hours`);
  await expect(dialog).toContainText(`The previous secret ${original} stops signing at once`);
  await expect(currentOnPage).toHaveText(elsewhere.fingerprint);
  await screenshot(page, "rotate-confirmation-after-other-rotation", { fullPage: false });

  // A rotation that lands while the dialog is open wins: confirming rotates nothing, and the notice gives the reason.
  const meanwhile = await callApi("POST", `/v1/webhooks/${created.id}/rotate`);
  await dialog.getByRole("button", { name: "Rotate secret" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "another rotation came first" }).first()).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("dialog", { name: "New signing secret: store it now" })).toHaveCount(0);
  await expect(currentOnPage).toHaveText(meanwhile.fingerprint);
  const afterConflict = await callApi("GET", `/v1/webhooks/${created.id}`);
  expect(afterConflict.secrets.map((secret: { id: string; status: string }) => [secret.id, secret.status])).toEqual([
    [meanwhile.secret_id, "current"],
    [elsewhere.secret_id, "expiring"],
  ]);

  // Confirmed on fresh data, the rotation goes through, and its notice names the secret that stopped signing.
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await expect(dialog).toContainText(`The current secret (${meanwhile.fingerprint}) keeps signing for 24 hours`);
  await expect(dialog).toContainText(`The previous secret ${elsewhere.fingerprint} stops signing at once`);
  await dialog.getByRole("button", { name: "Rotate secret" }).click();
  const reveal = page.getByRole("dialog", { name: "New signing secret: store it now" });
  await expect(reveal).toBeVisible();
  const rotated = ((await reveal.locator("[data-revealed-value]").textContent()) ?? "").trim();
  await reveal.getByRole("button", { name: "I have stored it" }).click();
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: `Secret rotated. The previous secret ${meanwhile.fingerprint} keeps signing for 24 hours. Secret ${elsewhere.fingerprint} stopped signing at once.` })
      .first(),
  ).toBeVisible();
  await expect(currentOnPage).toHaveText(fingerprintOf(rotated));
  await expect(page.locator('[data-secret-fingerprint="expiring"]')).toHaveText(meanwhile.fingerprint);
});
