import { expect, test } from "@playwright/test";
import { screenshot, signIn } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * A viewer reads everything but is shown no control that changes anything, and
 * the API rejects the changes anyway when sent from the viewer's own session.
 */
test("viewer sees no mutation controls and the API refuses their changes", async ({ page, request }) => {
  const state = e2eState();
  const created = await request.post("/v1/webhooks", {
    headers: { authorization: `ApiKey ${state.apiKey}` },
    data: { url: "https://cmdb.example.com/hooks/wasviking", events: ["asset.first_seen", "asset.disappeared", "asset.reappeared"], description: "CMDB sync" },
  });
  expect(created.status()).toBe(201);
  const webhook = await created.json();
  const rotated = await request.post(`/v1/webhooks/${webhook.id}/rotate`, { headers: { authorization: `ApiKey ${state.apiKey}` } });
  const oldSecretId: string = (await rotated.json()).secrets[1].id;

  await signIn(page, state.viewerEmail, state.password);
  await expect(page.getByText("Viewer", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "https://cmdb.example.com/hooks/wasviking" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Create webhook" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await screenshot(page, "viewer-webhook-list");

  await page.getByRole("link", { name: "https://cmdb.example.com/hooks/wasviking" }).click();
  await expect(page.getByText("Your role can read this webhook")).toBeVisible();
  for (const name of ["Send test event", "Disable", "Save changes", "Delete webhook"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(page.getByRole("textbox")).toHaveCount(0);
  await screenshot(page, "viewer-webhook-settings");

  await page.getByRole("link", { name: "Secrets" }).click();
  await expect(page.locator('[data-secret-fingerprint="expiring"]')).toBeVisible();
  await expect(page.getByRole("button", { name: "Rotate secret" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Revoke now" })).toHaveCount(0);
  await screenshot(page, "viewer-webhook-secrets");

  await page.getByRole("link", { name: "Deliveries" }).click();
  await expect(page.getByRole("heading", { name: "No deliveries yet" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send test event" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Replay/ })).toHaveCount(0);

  await page.goto("/integrations/webhooks/new");
  await expect(page.getByRole("heading", { name: "Only admins can create webhooks" })).toBeVisible();
  await page.goto("/settings/api-keys");
  await expect(page.getByRole("heading", { name: "Only admins can manage API keys" })).toBeVisible();

  // The same calls the admin's portal makes, sent from the viewer's signed-in page.
  const statuses = await page.evaluate(
    async ({ id, secretId }) => {
      const send = async (method: string, path: string, body?: unknown) =>
        (await fetch(path, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined })).status;
      return {
        create: await send("POST", "/v1/webhooks", { url: "https://evil.example.org/x", events: ["finding.created"] }),
        update: await send("PATCH", `/v1/webhooks/${id}`, { enabled: false }),
        remove: await send("DELETE", `/v1/webhooks/${id}`),
        rotate: await send("POST", `/v1/webhooks/${id}/rotate`),
        revokeSecret: await send("DELETE", `/v1/webhooks/${id}/secrets/${secretId}`),
        test: await send("POST", `/v1/webhooks/${id}/test`),
        replay: await send("POST", `/v1/webhooks/${id}/deliveries/dlv_01JEX3M1Q8ZK4T6W2N9C5R7B0D/replay`),
        listKeys: await send("GET", "/v1/api-keys"),
        createKey: await send("POST", "/v1/api-keys", { name: "viewer", scopes: ["webhooks:read"] }),
        read: await send("GET", `/v1/webhooks/${id}`),
      };
    },
    { id: webhook.id, secretId: oldSecretId },
  );
  expect(statuses).toEqual({ create: 403, update: 403, remove: 403, rotate: 403, revokeSecret: 403, test: 403, replay: 403, listKeys: 403, createKey: 403, read: 200 });

  const after = await (await request.get(`/v1/webhooks/${webhook.id}`, { headers: { authorization: `ApiKey ${state.apiKey}` } })).json();
  expect(after.enabled).toBe(true);
  expect(after.secrets).toHaveLength(2);
});
