import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { expectNoHorizontalOverflow, screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

/** Sign-in, sign-out, organisations and cross-site request protection, in a real browser. */

test("wrong password is rejected with a readable message", async ({ page }) => {
  const state = e2eState();
  await page.goto("/login");
  await page.getByLabel("Email").fill(state.adminEmail);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The email or password is wrong." })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("deep link survives sign-in", async ({ page }) => {
  const state = e2eState();
  await page.goto("/settings/api-keys");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings%2Fapi-keys$/);
  await page.getByLabel("Email").fill(state.adminEmail);
  await page.getByLabel("Password").fill(state.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/settings/api-keys");
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
});

test("sign-out ends the session on the server", async ({ page, context, playwright, baseURL }) => {
  const state = e2eState();
  await signIn(page, state.viewerEmail, state.password);
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name.includes("session-token"));
  expect(session).toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(session!.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/login");

  const replay = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${session!.name}=${session!.value}` } });
  const response = await replay.get("/v1/webhooks");
  expect(response.status()).toBe(401);
  await replay.dispose();
});

test("sign-out stays on the browser's address", async ({ page, baseURL }) => {
  // The portal's NEXTAUTH_URL names 127.0.0.1; a browser that reached it as localhost must come back to localhost.
  const otherName = baseURL!.replace("127.0.0.1", "localhost");
  const state = e2eState();
  await page.goto(`${otherName}/login`);
  await page.getByLabel("Email").fill(state.viewerEmail);
  await page.getByLabel("Password").fill(state.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${otherName}/integrations/webhooks`);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${otherName}/login`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("another organisation sees none of Acme's webhooks", async ({ page }) => {
  const state = e2eState();
  await signIn(page, state.otherAdminEmail, state.password);
  await expect(page.getByText("Other Tenant")).toBeVisible();
  await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();
  await expect(page.getByText("A webhook sends WASViking events")).toBeVisible();
  await screenshot(page, "webhook-list-empty");
  await expectNoHorizontalOverflow(page);
});

test.describe("cross-site requests", () => {
  let attacker: Server;
  let attackerUrl: string;

  test.beforeAll(async () => {
    // A page on another origin (another port of the same host, so even SameSite=Lax cookies travel with its requests).
    attacker = createServer((request, response) => {
      const target = new URL(request.url ?? "/", "http://placeholder").searchParams.get("target") ?? "";
      const rotate = JSON.stringify(`${target}/rotate`);
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><title>attacker</title>
        <form id="post" method="POST" action=${rotate} enctype="text/plain"><input name="x" value="y"></form>
        <a id="link" href=${rotate}>win a prize</a>
        <script>
          fetch(${JSON.stringify(`${target}/test`)}, { method: "POST", credentials: "include", mode: "no-cors" })
            .then(() => fetch(${rotate}, { method: "POST", credentials: "include", mode: "no-cors" }))
            .finally(() => { document.title = "sent"; });
        </script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  });

  test.afterAll(async () => {
    await new Promise((resolve) => attacker.close(resolve));
  });

  test("another site cannot change or rotate anything", async ({ page, request, baseURL }) => {
    const state = e2eState();
    const apiKey = { authorization: `ApiKey ${state.apiKey}` };
    const created = await (await request.post("/v1/webhooks", { headers: apiKey, data: { url: "https://csrf.example.com/hook", events: ["finding.created"] } })).json();
    const fingerprint = created.secrets[0].fingerprint;
    await signIn(page, state.adminEmail, state.password);

    const target = `${baseURL}/v1/webhooks/${created.id}`;
    const attackPage = `${attackerUrl}?target=${encodeURIComponent(target)}`;
    const rejected: number[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(target)) rejected.push(response.status());
    });

    await page.goto(attackPage);
    await expect(page).toHaveTitle("sent");
    const linkNavigation = page.waitForResponse(`${target}/rotate`);
    await page.locator("#link").click();
    expect((await linkNavigation).status()).toBe(403);
    // The navigation may still be committing when the response arrives; wait for the page it lands on.
    await page.waitForURL(`${target}/rotate`);
    await expect(page.locator("body")).toContainText("Cross-site requests cannot change anything");

    await page.goto(attackPage);
    const formNavigation = page.waitForResponse(`${target}/rotate`);
    await page.locator("#post").evaluate((form: HTMLFormElement) => form.submit());
    expect((await formNavigation).status()).toBe(403);
    await page.waitForURL(`${target}/rotate`);
    await expect(page.locator("body")).toContainText("Cross-site requests cannot change anything");
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rejected)).toEqual(new Set([403]));

    const after = await (await request.get(`/v1/webhooks/${created.id}`, { headers: apiKey })).json();
    expect(after.delivery_stats.last_delivery).toBeNull();
    expect(after.secrets.map((secret: { fingerprint: string }) => secret.fingerprint)).toEqual([fingerprint]);
  });
});

test("portal fits a narrow phone screen", async ({ page }) => {
  const state = e2eState();
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, state.adminEmail, state.password);
  await expectNoHorizontalOverflow(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await page.getByRole("button", { name: "Menu" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await screenshot(page, "narrow-navigation");
  await page.getByRole("link", { name: "Webhooks", exact: true }).click();
  await screenshot(page, "narrow-webhook-list");
  await page.getByRole("link", { name: "Create webhook" }).first().click();
  await expectNoHorizontalOverflow(page);
  await screenshot(page, "narrow-create-webhook");
});
