import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * Every page runs under a Content Security Policy whose script nonce changes
 * per response. The pages must still work under it (Next.js puts the nonce on
 * its own scripts), and a script that an attacker manages to insert must not run.
 */

/** Collects the policy violations a page reports. */
function watchViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  return violations;
}

const PUBLIC_PAGES = ["/login", "/docs/api", "/docs/events"];
const PORTAL_PAGES = ["/integrations/webhooks", "/integrations/webhooks/new", "/integrations/usage", "/settings/api-keys"];

test("public and portal pages load with a nonce policy and no violation", async ({ page }) => {
  const state = e2eState();
  const violations = watchViolations(page);
  const nonces = new Set<string>();
  const visit = async (path: string) => {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    const policy = response!.headers()["content-security-policy"] ?? "";
    expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy, path).toContain("frame-ancestors 'none'");
    expect(policy, path).not.toContain("'unsafe-inline' 'strict-dynamic'");
    nonces.add(/'nonce-([^']+)'/.exec(policy)![1]!);
    // React hydrated: the framework's scripts ran under the policy.
    await expect(page.locator("body")).not.toBeEmpty();
  };
  for (const path of PUBLIC_PAGES) await visit(path);
  await signIn(page, state.adminEmail, state.password);
  for (const path of PORTAL_PAGES) await visit(path);
  expect(nonces.size).toBe(PUBLIC_PAGES.length + PORTAL_PAGES.length);
  expect(violations).toEqual([]);
});

test("markup injected into a page cannot run script", async ({ page }) => {
  // Stands in for a stored injection: the server's own response, with its own
  // policy, gains a script element and an event handler attribute on the way.
  await page.route("**/login", async (route) => {
    const response = await route.fetch();
    const injected = (await response.text()).replace(
      "<body",
      '<body data-injected="1"><script>window.injectedScript = true</script><img src="data:," onerror="window.injectedHandler = true" onload="window.injectedHandler = true"',
    );
    await route.fulfill({ response, body: injected });
  });
  const violations = watchViolations(page);
  await page.goto("/login");
  // The page's own, nonce-carrying scripts still run: the form reacts.
  await page.getByLabel("Email").fill("someone@example.com");
  await expect(page.getByLabel("Email")).toHaveValue("someone@example.com");
  await expect.poll(() => violations.length).toBeGreaterThanOrEqual(2);

  const ran = await page.evaluate(() => {
    const state = window as unknown as { injectedScript?: boolean; injectedHandler?: boolean };
    return { script: state.injectedScript === true, handler: state.injectedHandler === true };
  });
  expect(ran).toEqual({ script: false, handler: false });
});

test("API answers may load nothing and never be framed", async ({ request }) => {
  const state = e2eState();
  const response = await request.get("/v1/webhooks", { headers: { authorization: `ApiKey ${state.apiKey}` } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
});
