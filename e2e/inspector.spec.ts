import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";
import { startReceiver, type TestReceiver } from "../tests/support/receiver";
import { E2E_KEYRING } from "./support/keyring";
import { screenshot } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * The deliveries inspector in a real browser against the real server and
 * worker. A failing endpoint is inspected, fixed and replayed without a
 * reload. Hostile and secret-bearing responses stay inert text, and a blocked
 * destination reads "blocked". A delivery's link survives signing in.
 */
test.describe.configure({ mode: "serial" });

const execFileAsync = promisify(execFile);

interface InspectorTenant {
  organizationId: string;
  apiKey: string;
  adminEmail: string;
  viewerEmail: string;
  password: string;
}

async function fixture<T>(...args: string[]): Promise<T> {
  const { stdout } = await execFileAsync("npx", ["tsx", "e2e/support/inspector-fixtures.ts", ...args], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, WVK_ENCRYPTION_KEYS: E2E_KEYRING, LOG_LEVEL: "warn" },
  });
  return JSON.parse(stdout) as T;
}

let tenant: InspectorTenant;
let receiver: TestReceiver;

test.beforeAll(async () => {
  // An organisation of its own: the events published here reach only this spec's receiver.
  tenant = await fixture<InspectorTenant>("tenant");
  receiver = await startReceiver("/inspector-hook");
});

test.afterAll(async () => {
  await receiver.close();
});

async function createWebhook(request: APIRequestContext, url: string, events: string[]): Promise<string> {
  const created = await request.post("/v1/webhooks", { headers: { authorization: `ApiKey ${tenant.apiKey}` }, data: { url, events, description: "Inspector test" } });
  expect(created.status()).toBe(201);
  return (await created.json()).id;
}

async function signInAt(page: Page, email: string, landing: string | RegExp = "**/integrations/webhooks"): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(tenant.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(landing);
}

/** Tells whether `word` is displayed left to right in the element: its first letter left of its last one. */
async function displayedLeftToRight(element: Locator, word: string): Promise<boolean> {
  return element.evaluate((root, searched) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const start = node.textContent!.indexOf(searched);
      if (start < 0) continue;
      const leftOf = (offset: number) => {
        const range = document.createRange();
        range.setStart(node!, offset);
        range.setEnd(node!, offset + 1);
        return range.getBoundingClientRect().left;
      };
      return leftOf(start) < leftOf(start + searched.length - 1);
    }
    throw new Error(`"${searched}" is not in the element`);
  }, word);
}

test("failed delivery is inspected, fixed and replayed without a reload", async ({ page, request, browser }) => {
  receiver.respond((_request, response) => response.writeHead(500, { "content-type": "text/plain" }).end("database is down: the receiver could not store the event"));
  const webhookId = await createWebhook(request, receiver.url, ["finding.escalated"]);
  const published = await request.post("/v1/events", {
    headers: { authorization: `ApiKey ${tenant.apiKey}` },
    data: { type: "finding.escalated", data: { finding_id: "fnd_e2e_42", severity: "critical" } },
  });
  expect(published.status()).toBe(202);
  const eventId = (await published.json()).id as string;
  const [first] = await receiver.waitForRequests(1, 20_000);
  const deliveryId = first!.headers["wasviking-delivery"] as string;

  await page.goto("/login");
  await signInAt(page, tenant.adminEmail);
  await page.goto(`/integrations/webhooks/${webhookId}/deliveries`);
  // A marker that a reload would wipe out.
  await page.evaluate(() => ((window as unknown as { inspectorMarker: number }).inspectorMarker = 42));

  const row = page.locator(`tr[data-delivery-id="${deliveryId}"]`);
  await expect(row).toContainText("Retrying", { timeout: 15_000 });
  await expect(row).toContainText("HTTP 500");
  await expect(row).toContainText("fnd_e2e_42");
  await screenshot(page, "inspector-list-failing");

  // The panel: the failed attempt, its 500 and the body, and the countdown to the next retry.
  await row.getByRole("link", { name: deliveryId }).click();
  await expect(page).toHaveURL(new RegExp(`/integrations/webhooks/${webhookId}/deliveries/${deliveryId}$`));
  const panel = page.getByRole("dialog", { name: `Delivery ${deliveryId}` });
  await expect(panel).toBeVisible();
  const firstAttempt = panel.locator('[data-attempt-number="1"]');
  await expect(firstAttempt).toContainText("HTTP 500");
  await expect(firstAttempt).toContainText("Automatic");
  await expect(firstAttempt.locator("[data-inert-text]")).toHaveText("database is down: the receiver could not store the event");
  await expect(panel.locator("[data-next-attempt]")).toContainText(/Next automatic attempt in \d+ s|Next automatic attempt in \d+ min/);
  await expect(panel.getByText('"finding_id": "fnd_e2e_42"')).toBeVisible();
  await screenshot(page, "inspector-failed-delivery", { fullPage: false });

  // A replay while the endpoint still fails adds a second failed attempt.
  await panel.getByRole("button", { name: "Replay" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Replay this delivery?" });
  await expect(confirm).toContainText("retries continue");
  await confirm.getByRole("button", { name: "Replay now" }).click();
  const secondAttempt = panel.locator('[data-attempt-number="2"]');
  await expect(secondAttempt).toContainText("Replay", { timeout: 20_000 });
  await expect(secondAttempt).toContainText("HTTP 500");

  // The endpoint is fixed; the next replay succeeds and the delivery with it.
  receiver.respond((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"stored":true}'));
  await panel.getByRole("button", { name: "Replay" }).click();
  await confirm.getByRole("button", { name: "Replay now" }).click();
  const thirdAttempt = panel.locator('[data-attempt-number="3"]');
  await expect(thirdAttempt).toContainText("HTTP 200", { timeout: 20_000 });
  await expect(panel.locator('[data-delivery-status="succeeded"]')).toContainText("Delivered");
  await expect(panel.locator("[data-next-attempt]")).toHaveCount(0);
  await screenshot(page, "inspector-replayed", { fullPage: false });

  await panel.getByRole("button", { name: "Close" }).click();
  await expect(page).toHaveURL(new RegExp(`/integrations/webhooks/${webhookId}/deliveries$`));
  await expect(row).toContainText("Succeeded");
  await expect(row).toContainText("HTTP 200");
  expect(await page.evaluate(() => (window as unknown as { inspectorMarker?: number }).inspectorMarker)).toBe(42);

  // A new event's delivery shows up in the open list by itself.
  const before = receiver.requests.length;
  await request.post("/v1/events", {
    headers: { authorization: `ApiKey ${tenant.apiKey}` },
    data: { type: "finding.escalated", data: { finding_id: "fnd_e2e_43", severity: "high" } },
  });
  const [arrived] = (await receiver.waitForRequests(before + 1, 20_000)).slice(before);
  const arrivedId = arrived!.headers["wasviking-delivery"] as string;
  await expect(page.locator(`tr[data-delivery-id="${arrivedId}"]`)).toContainText("Succeeded", { timeout: 15_000 });
  await expect(page.locator("tbody tr").first()).toHaveAttribute("data-delivery-id", arrivedId);
  expect(await page.evaluate(() => (window as unknown as { inspectorMarker?: number }).inspectorMarker)).toBe(42);

  // Filters live in the URL; the search box takes a finding id.
  await page.getByLabel("Status").selectOption("failed,retrying");
  await expect(page).toHaveURL(/status=failed%2Cretrying/);
  await expect(page.getByRole("heading", { name: "No deliveries match these filters" })).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await page.getByLabel("Search").fill("fnd_e2e_42");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=fnd_e2e_42/);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(page.locator("tbody tr")).toHaveAttribute("data-delivery-id", deliveryId);
  await page.getByLabel("Search").fill("dlv_123");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("search").getByRole("alert")).toContainText("delivery id is incomplete");
  await screenshot(page, "inspector-filters");

  // A delivery id alone finds the delivery from the webhook list, whichever webhook it belongs to.
  await page.goto("/integrations/webhooks");
  const find = page.getByRole("search", { name: "Find a delivery" });
  await find.getByLabel("Find a delivery").fill("dlv_01JEX3M1Q8ZK4T6W2N9C5R7B0D");
  await find.getByRole("button", { name: "Find" }).click();
  await expect(find.getByRole("alert")).toContainText("No delivery dlv_01JEX3M1Q8ZK4T6W2N9C5R7B0D in your organisation");
  await find.getByLabel("Find a delivery").fill(deliveryId.toLowerCase());
  await find.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(new RegExp(`/deliveries/${deliveryId}$`));
  await expect(page.getByRole("dialog", { name: `Delivery ${deliveryId}` })).toBeVisible();

  // It takes every entry its message names: an event id with one delivery opens it, and a finding id with two lists both.
  await page.goto("/integrations/webhooks");
  await find.getByLabel("Find a delivery").fill("<script>");
  await find.getByRole("button", { name: "Find" }).click();
  await expect(find.getByRole("alert")).toHaveText("Enter a delivery id (dlv_…), an event id (evt_…) or a finding or asset id, without spaces.");
  await find.getByLabel("Find a delivery").fill(eventId);
  await find.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(new RegExp(`/deliveries/${deliveryId}$`));
  await expect(page.getByRole("dialog", { name: `Delivery ${deliveryId}` })).toBeVisible();

  const beforeRepeat = receiver.requests.length;
  await request.post("/v1/events", {
    headers: { authorization: `ApiKey ${tenant.apiKey}` },
    data: { type: "finding.escalated", data: { finding_id: "fnd_e2e_42", severity: "low" } },
  });
  const [repeat] = (await receiver.waitForRequests(beforeRepeat + 1, 20_000)).slice(beforeRepeat);
  const repeatId = repeat!.headers["wasviking-delivery"] as string;
  await page.goto("/integrations/webhooks");
  await find.getByLabel("Find a delivery").fill("fnd_e2e_42");
  await find.getByRole("button", { name: "Find" }).click();
  const found = find.getByRole("region", { name: "Matching deliveries" });
  await expect(found).toContainText("2 deliveries about fnd_e2e_42, newest first:");
  await expect(found.locator("li")).toHaveCount(2);
  await expect(found.locator("li").first()).toHaveAttribute("data-delivery-id", repeatId);
  await expect(found.locator("li").nth(1)).toHaveAttribute("data-delivery-id", deliveryId);
  await screenshot(page, "inspector-find-several");
  await found.getByRole("link", { name: deliveryId }).click();
  await expect(page).toHaveURL(new RegExp(`/deliveries/${deliveryId}\\?q=fnd_e2e_42$`));
  await expect(page.getByRole("dialog", { name: `Delivery ${deliveryId}` })).toBeVisible();

  // The delivery's link, opened signed out, leads through the sign-in page back to the delivery.
  const link = `/integrations/webhooks/${webhookId}/deliveries/${deliveryId}`;
  const fresh = await browser.newContext({ baseURL: e2eState().baseUrl });
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other).toHaveURL(/\/login\?callbackUrl=/);
  await signInAt(other, tenant.adminEmail, `**${link}`);
  await expect(other.getByRole("dialog", { name: `Delivery ${deliveryId}` })).toBeVisible();
  await expect(other.locator('[data-attempt-number="3"]')).toContainText("HTTP 200");
  await fresh.close();
});

test("hostile responses stay inert text, credentials are hidden, blocked says blocked", async ({ page, request, browser }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const hostileHtml = `<script>window.inspectorHacked=1;alert(document.domain)</script><img src=x onerror="window.inspectorHacked=2;alert(1)">`;
  const markdownLink = "[click](javascript:alert(1))";
  const secretJson = '{"token":"<PLACEHOLDER_SECRET>","email":"user@example.com"}';
  const variants = [
    { status: 500, headers: { "content-type": "text/html" }, body: hostileHtml },
    { status: 200, headers: { "content-type": "application/json", "set-cookie": "session=abcdef123456; HttpOnly" }, body: secretJson },
    { status: 200, headers: {}, body: markdownLink },
  ];
  const webhookId = await createWebhook(request, receiver.url, ["asset.first_seen"]);
  const deliveries: string[] = [];
  for (const variant of variants) {
    receiver.respond((_request, response) => response.writeHead(variant.status, variant.headers).end(variant.body));
    const tested = await request.post(`/v1/webhooks/${webhookId}/test`, { headers: { authorization: `ApiKey ${tenant.apiKey}` } });
    expect(tested.status()).toBe(200);
    deliveries.push((await tested.json()).delivery_id);
  }

  await page.goto("/login");
  await signInAt(page, tenant.adminEmail);
  const [htmlDelivery, secretDelivery, markdownDelivery] = deliveries as [string, string, string];

  await page.goto(`/integrations/webhooks/${webhookId}/deliveries/${htmlDelivery}`);
  const panel = page.getByRole("dialog", { name: `Delivery ${htmlDelivery}` });
  const body = panel.locator('[data-attempt-number="1"] [data-inert-text]');
  await expect(body).toHaveText(hostileHtml);
  await expect(panel.locator("img, script, iframe, object, embed")).toHaveCount(0);
  await screenshot(page, "inspector-hostile-html", { fullPage: false });

  await page.goto(`/integrations/webhooks/${webhookId}/deliveries/${markdownDelivery}`);
  const markdownPanel = page.getByRole("dialog", { name: `Delivery ${markdownDelivery}` });
  await markdownPanel.locator('[data-attempt-number="1"] summary', { hasText: "Response" }).click();
  await expect(markdownPanel.locator('[data-attempt-number="1"] [data-inert-text]')).toHaveText(markdownLink);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await expect(markdownPanel.getByRole("link", { name: "click" })).toHaveCount(0);

  // A right-to-left override in the event and in the response shows as a marked token, and the text after it keeps its order.
  const reversedText = "Harmless \u202egnirts evil";
  receiver.respond((_request, response) => response.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(reversedText));
  const before = receiver.requests.length;
  const published = await request.post("/v1/events", {
    headers: { authorization: `ApiKey ${tenant.apiKey}` },
    data: { type: "asset.first_seen", data: { asset_id: "ast_E2EBIDI", kind: "hostname", name: reversedText } },
  });
  expect(published.status()).toBe(202);
  const [bidiRequest] = (await receiver.waitForRequests(before + 1, 20_000)).slice(before);
  const bidiDelivery = bidiRequest!.headers["wasviking-delivery"] as string;
  await page.goto(`/integrations/webhooks/${webhookId}/deliveries/${bidiDelivery}`);
  const bidiPanel = page.getByRole("dialog", { name: `Delivery ${bidiDelivery}` });
  await bidiPanel.locator('[data-attempt-number="1"] summary', { hasText: "Response" }).click();
  const bidiResponse = bidiPanel.locator('[data-attempt-number="1"] [data-inert-text]');
  await expect(bidiResponse).toHaveText("Harmless <U+202E>gnirts evil");
  await expect(bidiResponse.locator('[data-bidi-character="U+202E"]')).toHaveAttribute("title", "U+202E, right-to-left override");
  expect(await displayedLeftToRight(bidiResponse, "gnirts evil")).toBe(true);
  const bidiBody = bidiPanel.locator("section", { has: page.getByRole("heading", { name: "Request" }) }).locator("[data-inert-text]");
  await expect(bidiBody).toContainText('"name": "Harmless <U+202E>gnirts evil"');
  expect(await displayedLeftToRight(bidiBody, "gnirts evil")).toBe(true);
  await screenshot(page, "inspector-bidi", { fullPage: false });

  await page.goto(`/integrations/webhooks/${webhookId}/deliveries/${secretDelivery}`);
  const secretPanel = page.getByRole("dialog", { name: `Delivery ${secretDelivery}` });
  await secretPanel.locator('[data-attempt-number="1"] summary', { hasText: "Response" }).click();
  await expect(secretPanel.locator("[data-redacted]")).toContainText("2 values that look like credentials are hidden");
  await secretPanel.locator('[data-attempt-number="1"]').getByRole("button", { name: "Show raw" }).click();
  await expect(secretPanel.locator('[data-attempt-number="1"] [data-inert-text]')).toHaveText('{"token":"[REDACTED]","email":"user@example.com"}');
  expect(await page.content()).not.toContain("PLACEHOLDER_SECRET");
  expect(await page.content()).not.toContain("abcdef123456");
  await screenshot(page, "inspector-redacted", { fullPage: false });

  // Nothing ran: no script, no image handler, no alert.
  expect(await page.evaluate(() => (window as unknown as { inspectorHacked?: number }).inspectorHacked)).toBeUndefined();
  expect(dialogs).toEqual([]);

  // A destination the production rules block: never contacted, shown as blocked with a generic reason.
  const blockedWebhook = await createWebhook(request, "http://127.0.0.1:9/blocked-by-production-rules", ["asset.first_seen"]);
  const blocked = await fixture<{ deliveryId: string; errorClass: string }>("blocked", tenant.organizationId, blockedWebhook);
  expect(blocked.errorClass).toBe("blocked_destination");
  await page.goto(`/integrations/webhooks/${blockedWebhook}/deliveries`);
  await expect(page.locator(`tr[data-delivery-id="${blocked.deliveryId}"]`)).toContainText("Blocked");
  await page.goto(`/integrations/webhooks/${blockedWebhook}/deliveries/${blocked.deliveryId}`);
  const blockedPanel = page.getByRole("dialog", { name: `Delivery ${blocked.deliveryId}` });
  const attempt = blockedPanel.locator('[data-attempt-number="1"]');
  await expect(attempt).toContainText("Blocked");
  await expect(attempt).toContainText("internal, private and reserved networks are blocked");
  await expect(attempt).toContainText("the destination was blocked, so nothing was sent");
  await screenshot(page, "inspector-blocked", { fullPage: false });

  // A viewer sees the attempts but not the responses, and cannot replay.
  const viewerContext = await browser.newContext({ baseURL: e2eState().baseUrl });
  const viewer = await viewerContext.newPage();
  await viewer.goto("/login");
  await signInAt(viewer, tenant.viewerEmail);
  await viewer.goto(`/integrations/webhooks/${webhookId}/deliveries/${secretDelivery}`);
  const viewerPanel = viewer.getByRole("dialog", { name: `Delivery ${secretDelivery}` });
  await viewerPanel.locator('[data-attempt-number="1"] summary', { hasText: "Response" }).click();
  await expect(viewerPanel).toContainText("shown only to admins");
  await expect(viewerPanel.getByRole("button", { name: "Replay" })).toHaveCount(0);
  expect(await viewer.content()).not.toContain("user@example.com");
  await screenshot(viewer, "inspector-viewer", { fullPage: false });
  await viewerContext.close();
});
