import { expect, test } from "@playwright/test";
import { screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

/** Errors of the API reach the admin as readable messages, and nothing stored changes. */
test("a change to a webhook deleted meanwhile explains what happened", async ({ page, request }) => {
  const state = e2eState();
  const apiKey = { authorization: `ApiKey ${state.apiKey}` };
  const created = await (await request.post("/v1/webhooks", { headers: apiKey, data: { url: "https://gone.example.com/hook", events: ["finding.created"] } })).json();

  await signIn(page, state.adminEmail, state.password);
  await page.goto(`/integrations/webhooks/${created.id}/settings`);
  await page.getByLabel("Description").fill("Renamed after someone else deleted it");
  expect((await request.delete(`/v1/webhooks/${created.id}`, { headers: apiKey })).status()).toBe(204);
  await page.getByRole("button", { name: "Save changes" }).click();

  await expect(page.getByRole("alert").filter({ hasText: `Webhook ${created.id} was not found in your organisation` }).first()).toBeVisible();
  await screenshot(page, "problem-details-in-form");
});

test("an unknown webhook page says so", async ({ page }) => {
  const state = e2eState();
  await signIn(page, state.adminEmail, state.password);
  await page.goto("/integrations/webhooks/wh_01JEX3M1Q8ZK4T6W2N9C5R7B0D/deliveries");
  await expect(page.getByRole("heading", { name: "This webhook does not exist" })).toBeVisible();
  await page.goto("/integrations/webhooks/not-an-id/settings");
  await expect(page.getByRole("heading", { name: "This webhook does not exist" })).toBeVisible();
});

test("inline URL checks use the API's rules", async ({ page }) => {
  const state = e2eState();
  await signIn(page, state.adminEmail, state.password);
  await page.goto("/integrations/webhooks/new");
  const url = page.getByLabel("Endpoint URL");
  const cases: Array<[string, string]> = [
    ["not a url", "The URL is not a valid absolute URL"],
    ["https://user:pass@siem.example.com/in", "must not contain a user name or password"],
    ["gopher://127.0.0.1:6379/_INFO", 'The scheme "gopher" is not allowed'],
  ];
  for (const [value, message] of cases) {
    await url.fill(value);
    await url.blur();
    await expect(page.getByText(message)).toBeVisible();
  }
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(page.getByText("Choose at least one event type")).toBeVisible();
  await expect(url).toBeFocused();
  await screenshot(page, "inline-validation");
});

test("TRACE is a 405, never a server error", async ({ request }) => {
  const state = e2eState();
  const api = await request.fetch("/v1/webhooks", { method: "TRACE", headers: { authorization: `ApiKey ${state.apiKey}` } });
  expect(api.status()).toBe(405);
  expect(api.headers()["content-type"]).toBe("application/problem+json");
  expect(api.headers()["allow"]).toBe("GET, HEAD, OPTIONS, POST");
  const problem = await api.json();
  expect(problem.type).toMatch(/method-not-allowed$/);
  expect(problem.detail).toBe("Use GET, HEAD, OPTIONS or POST on this path");

  const portal = await request.fetch("/login", { method: "TRACE" });
  expect(portal.status()).toBe(405);
});

test("HEAD on rotate is a 405 and rotates nothing", async ({ request }) => {
  const state = e2eState();
  const apiKey = { authorization: `ApiKey ${state.apiKey}` };
  const created = await (await request.post("/v1/webhooks", { headers: apiKey, data: { url: "https://head.example.com/hook", events: ["finding.created"] } })).json();

  const head = await request.head(`/v1/webhooks/${created.id}/rotate`, { headers: apiKey });
  expect(head.status()).toBe(405);
  expect(head.headers()["allow"]).toBe("GET, OPTIONS, POST");

  const after = await (await request.get(`/v1/webhooks/${created.id}`, { headers: apiKey })).json();
  expect(after.secrets).toHaveLength(1);
  expect(after.secrets[0].id).toBe(created.secrets[0].id);
});
