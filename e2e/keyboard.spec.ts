import { expect, type Locator, type Page, test } from "@playwright/test";
import { screenshot } from "./support/portal";
import { e2eState } from "./support/state";

/** Creating a webhook with the keyboard alone, from sign-in to the reveal-once dialog. */
const MAX_TABS = 60;

async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < MAX_TABS; presses++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

async function focusIsInside(dialog: Locator): Promise<boolean> {
  return dialog.evaluate((element) => element.contains(document.activeElement));
}

async function expectVisibleFocusRing(target: Locator): Promise<void> {
  const outline = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(outline.style).not.toBe("none");
  expect(outline.width).toBeGreaterThanOrEqual(2);
}

test("webhook creation works with the keyboard alone", async ({ page }) => {
  const state = e2eState();
  await page.goto("/login");
  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.type(state.adminEmail);
  await page.keyboard.press("Tab");
  await page.keyboard.type(state.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/integrations/webhooks");

  const create = page.getByRole("link", { name: "Create webhook" }).first();
  await tabTo(page, create);
  await expectVisibleFocusRing(create);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/integrations/webhooks/new");

  const url = page.getByLabel("Endpoint URL");
  await tabTo(page, url);
  await page.keyboard.type("ftp://files.example.com/drop");
  await page.keyboard.press("Tab");
  await expect(page.getByText('The scheme "ftp" is not allowed: use https')).toBeVisible();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("http://127.0.0.1:9/keyboard-hook");
  await expect(url).not.toHaveAttribute("aria-invalid", "true");

  const fanOut = page.getByRole("button", { name: /Notification fan-out/ });
  await tabTo(page, fanOut);
  await page.keyboard.press("Space");
  await expect(fanOut).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("checkbox", { name: /asset\.reappeared/ })).toBeChecked();
  await screenshot(page, "keyboard-create-form");

  await tabTo(page, page.getByRole("button", { name: "Create webhook" }));
  await page.keyboard.press("Enter");

  const reveal = page.getByRole("dialog", { name: "Webhook created: store its signing secret" });
  await expect(reveal).toBeVisible();
  expect(await focusIsInside(reveal)).toBe(true);
  for (let presses = 0; presses < 8; presses++) {
    await page.keyboard.press(presses % 3 === 2 ? "Shift+Tab" : "Tab");
    expect(await focusIsInside(reveal)).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(reveal).toBeVisible();
  const stored = reveal.getByRole("button", { name: "I have stored it" });
  await tabTo(page, stored);
  await expectVisibleFocusRing(stored);
  await page.keyboard.press("Enter");
  await expect(reveal).toBeHidden();
  await page.waitForURL(/\/integrations\/webhooks\/wh_[0-9A-Z]+\/settings$/);
  await expect(page.getByRole("heading", { name: "http://127.0.0.1:9/keyboard-hook" })).toBeVisible();
});

test("dialogs return focus to the control that opened them", async ({ page }) => {
  const state = e2eState();
  await page.goto("/login");
  await page.getByLabel("Email").fill(state.adminEmail);
  await page.getByLabel("Password").fill(state.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/integrations/webhooks");
  await page.getByRole("link", { name: "http://127.0.0.1:9/keyboard-hook" }).first().click();
  await page.getByRole("link", { name: "Settings" }).click();

  const remove = page.getByRole("button", { name: "Delete webhook" });
  await remove.focus();
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("alertdialog", { name: "Delete this webhook?" });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expect(confirm).toContainText("discarded and never sent");
  await page.keyboard.press("Escape");
  await expect(confirm).toBeHidden();
  await expect(remove).toBeFocused();
});
