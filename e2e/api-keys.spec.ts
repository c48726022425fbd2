import { expect, test } from "@playwright/test";
import { readClipboard, screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

test("admin creates an API key, shown once, and revokes it", async ({ page, context, baseURL, request }) => {
  const state = e2eState();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signIn(page, state.adminEmail, state.password);
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await expect(page.getByText("e2e key")).toBeVisible();

  await page.getByRole("button", { name: "Create API key" }).first().click();
  const form = page.getByRole("dialog", { name: "Create an API key" });
  await form.getByRole("button", { name: "Create API key" }).click();
  await expect(form.getByText("Name the key after the script or system that will use it")).toBeVisible();
  await expect(form.getByText("Choose at least one scope")).toBeVisible();
  await form.getByLabel("Name").fill("SIEM exporter (browser test)");
  await form.getByRole("checkbox", { name: /webhooks:read/ }).check();
  await screenshot(page, "api-key-form", { fullPage: false });
  await form.getByRole("button", { name: "Create API key" }).click();

  const reveal = page.getByRole("dialog", { name: "API key created: store it now" });
  await expect(reveal).toBeVisible();
  const shown = (await reveal.locator("[data-revealed-value]").textContent()) ?? "";
  await reveal.getByRole("button", { name: "Copy API key" }).click();
  const key = await readClipboard(page);
  expect(key).toBe(shown);
  expect(key).toMatch(/^wvk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
  await screenshot(page, "api-key-reveal", { fullPage: false });
  await reveal.getByRole("button", { name: "I have stored it" }).click();
  await expect(reveal).toBeHidden();

  const row = page.locator("tr", { hasText: "SIEM exporter (browser test)" });
  await expect(row).toContainText(key.slice(0, 12));
  await expect(row).toContainText("Never");
  expect(await page.content()).not.toContain(key);

  const read = await request.get("/v1/webhooks", { headers: { authorization: `ApiKey ${key}` } });
  expect(read.status()).toBe(200);
  const write = await request.post("/v1/webhooks", { headers: { authorization: `ApiKey ${key}` }, data: { url: "https://x.example.com/", events: ["finding.created"] } });
  expect(write.status()).toBe(403);

  await page.reload();
  await expect(row).not.toContainText("Never");
  await screenshot(page, "api-keys");
  await row.getByRole("button", { name: "Revoke API key SIEM exporter (browser test)" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke API key" }).click();
  await expect(row).toContainText("Revoked");
  // innerText follows the layout, so it shows whether the space before the time is rendered.
  expect(await row.getByText("Revoked").innerText()).toMatch(/^Revoked \S/);
  const after = await request.get("/v1/webhooks", { headers: { authorization: `ApiKey ${key}` } });
  expect(after.status()).toBe(401);
});
