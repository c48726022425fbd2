import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, type Locator, test } from "@playwright/test";
import pg from "pg";
import { screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * A right-to-left override (U+202E) in stored text reverses everything after it
 * on the same line unless the text is isolated. The API rejects the character
 * now, but rows written before that rule may hold it, so this spec writes such
 * values straight into the database and checks that the portal keeps the text
 * next to them in place: each check measures the text that follows the value,
 * and measures the same markup without <bdi> to prove the override would flip it.
 */
test.describe.configure({ mode: "serial" });

const execFileAsync = promisify(execFile);
const EMAIL = "bidi-admin@acme.test";
const OVERRIDE = "\u202e";
const DESCRIPTION = `SIEM ${OVERRIDE}EU`;
const KEY_NAME = `exporter${OVERRIDE}gnp.exe`;

let apiKey = "";
let organizationId = "";
let webhookId = "";
let apiKeyId = "";

/** Runs one statement on the browser tests' database, as a migration or an older release could have. */
async function query(sql: string, values: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: e2eState().databaseUrl });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/**
 * Measures, in CSS pixels, how far the text right after `isolated` starts to the
 * right of the isolated text's right edge: negative when the following text is
 * drawn inside or left of it. Also measures the same markup with a plain <span>
 * in place of the <bdi>, in a copy that is removed again.
 */
async function gapsAfter(isolated: Locator): Promise<{ isolated: number; plain: number }> {
  return isolated.evaluate((element) => {
    const gapAfter = (value: Element): number => {
      const following = value.nextSibling;
      if (!following || !following.textContent?.trim()) throw new Error("No text follows the value");
      const range = document.createRange();
      range.selectNodeContents(following);
      const followingLeft = Math.min(...[...range.getClientRects()].map((rect) => rect.left));
      const valueRight = Math.max(...[...value.getClientRects()].map((rect) => rect.right));
      return followingLeft - valueRight;
    };

    const parent = element.parentElement!;
    const copy = parent.cloneNode(true) as HTMLElement;
    const copiedValue = copy.querySelector("bdi")!;
    const plain = document.createElement("span");
    plain.textContent = copiedValue.textContent;
    copiedValue.replaceWith(plain);
    parent.after(copy);
    try {
      return { isolated: gapAfter(element), plain: gapAfter(plain) };
    } finally {
      copy.remove();
    }
  });
}

test.beforeAll(async () => {
  const seeded = await execFileAsync("npx", ["tsx", "e2e/support/seed-usage.ts", "organisation", "Bidi Team", EMAIL, e2eState().password], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, LOG_LEVEL: "warn" },
  });
  ({ apiKey, organizationId } = JSON.parse(seeded.stdout) as { apiKey: string; organizationId: string });

  const response = await fetch(new URL("/v1/webhooks", e2eState().baseUrl), {
    method: "POST",
    headers: { authorization: `ApiKey ${apiKey}`, "content-type": "application/json" },
    // The webhook is disabled and nothing is published to this organisation, so the address is never called.
    body: JSON.stringify({ url: "http://127.0.0.1:9/siem", events: ["finding.created"], description: "SIEM", enabled: false }),
  });
  expect(response.status).toBe(201);
  webhookId = ((await response.json()) as { id: string }).id;

  await query(`UPDATE subscriptions SET description = $1 WHERE id = $2`, [DESCRIPTION, webhookId]);
  const key = await query(`UPDATE api_keys SET name = $1 WHERE organization_id = $2 RETURNING id`, [KEY_NAME, organizationId]);
  apiKeyId = key.rows[0].id as string;
});

test("the API rejects a right-to-left override", async () => {
  const response = await fetch(new URL(`/v1/webhooks/${webhookId}`, e2eState().baseUrl), {
    method: "PATCH",
    headers: { authorization: `ApiKey ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ description: DESCRIPTION }),
  });
  expect(response.status).toBe(422);
  const problem = (await response.json()) as { errors: Array<{ field: string; message: string }> };
  expect(problem.errors[0]?.field).toBe("description");
  expect(problem.errors[0]?.message).toContain("U+202E");
});

test("a stored override leaves the text after it in place", async ({ page }) => {
  await signIn(page, EMAIL, e2eState().password);

  await page.goto("/integrations/usage");
  const usageRow = page.locator(`tr[data-webhook-id="${webhookId}"]`);
  await expect(usageRow).toContainText("· disabled");
  const description = usageRow.locator("bdi");
  await expect(description).toHaveText(DESCRIPTION);
  const usageGaps = await gapsAfter(description);
  expect(usageGaps.plain, "without <bdi> the override moves the text after it").toBeLessThan(0);
  expect(usageGaps.isolated).toBeGreaterThanOrEqual(-1);
  await screenshot(page, "bidi-usage-overview");

  await page.goto("/settings/api-keys");
  const keyRow = page.locator(`tr[data-api-key-id="${apiKeyId}"]`);
  await expect(keyRow.locator("bdi").first()).toHaveText(KEY_NAME);
  await keyRow.getByRole("button", { name: /^Revoke API key/ }).click();
  const dialog = page.getByRole("alertdialog");
  const title = dialog.locator("h2 bdi");
  await expect(title).toHaveText(KEY_NAME);
  const titleGaps = await gapsAfter(title);
  expect(titleGaps.plain, "without <bdi> the override moves the text after it").toBeLessThan(0);
  expect(titleGaps.isolated).toBeGreaterThanOrEqual(-1);
  await screenshot(page, "bidi-revoke-dialog", { fullPage: false });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});
