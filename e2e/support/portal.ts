import { createHash } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { verifySignature } from "../../lib/signing";
import type { ReceivedRequest } from "../../tests/support/receiver";

/** Helpers shared by the portal's browser tests. */

/** Signs in through the sign-in form and waits for the webhooks page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/integrations/webhooks");
}

/** Returns the fingerprint of a signing secret as docs/signatures.md defines it. */
export function fingerprintOf(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 12);
}

/** Tells whether a received delivery carries a valid signature under `secret` alone. */
export function verifiesWith(request: ReceivedRequest, secret: string): boolean {
  const result = verifySignature({
    signatureHeader: request.headers["wasviking-signature"] as string | undefined,
    deliveryId: request.headers["wasviking-delivery"] as string | undefined,
    body: request.body,
    secrets: [secret],
  });
  return result.ok;
}

/**
 * Saves a screenshot of the current screen as a test artifact under
 * test-results/: the whole page, or only the window when a dialog is open
 * (a full-page capture would show the fixed overlay stretched).
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage });
}

/** Reads the clipboard of the page's browser context (the test must have granted clipboard permissions). */
export async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Asserts the document is no wider than the window, so nothing needs sideways scrolling. */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}
