import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { newId } from "../lib/ids";
import { signIn } from "./support/portal";
import { e2eState } from "./support/state";

/**
 * An admin of one organisation opens every portal page with the ids of
 * another organisation's objects. Each page must look exactly as it does for
 * an id that does not exist, and nothing of the other organisation may reach
 * the browser: not in the HTML, not in any API response the page receives. The
 * pages are found in app/(portal), so a new page is covered automatically.
 */
const portalDirectory = path.join(import.meta.dirname, "..", "app", "(portal)");

// The kind of object each dynamic segment of a page path names.
const SEGMENT_KINDS: Record<string, "webhook" | "delivery"> = { id: "webhook", deliveryId: "delivery" };

/** Lists the portal's page paths, for example /integrations/webhooks/[id]/secrets. */
function portalPages(directory = portalDirectory, segments: string[] = []): string[] {
  const pages: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) pages.push(...portalPages(path.join(directory, entry.name), entry.name.startsWith("(") ? segments : [...segments, entry.name]));
    else if (entry.name === "page.tsx") pages.push("/" + segments.join("/"));
  }
  return pages;
}

function dynamicSegments(page: string): string[] {
  return [...page.matchAll(/\[(\w+)\]/g)].map((match) => match[1]!);
}

function fillPath(page: string, ids: Record<string, string>): string {
  return page.replace(/\[(\w+)\]/g, (_match, name: string) => ids[name]!);
}

interface Visit {
  text: string;
  html: string;
  // Responses the page received from the API, as status and body text.
  apiResponses: Array<{ url: string; status: number; body: string }>;
}

/**
 * Opens a page, waits until it shows `settled` (or, without it, until no part
 * of it is still loading), and records what reached the browser.
 */
async function visit(page: Page, url: string, settled?: RegExp): Promise<Visit> {
  const apiResponses: Visit["apiResponses"] = [];
  const record = async (response: import("@playwright/test").Response) => {
    if (!new URL(response.url()).pathname.startsWith("/v1/")) return;
    apiResponses.push({ url: response.url(), status: response.status(), body: await response.text().catch(() => "") });
  };
  page.on("response", record);
  const navigation = await page.goto(url);
  if (settled) await expect(page.getByText(settled).first()).toBeVisible();
  await expect(page.locator("main")).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  page.off("response", record);
  return {
    text: await page.locator("main").innerText(),
    html: `${(await navigation?.text()) ?? ""}\n${await page.content()}`,
    apiResponses,
  };
}

function withPlaceholders(text: string, ids: Record<string, string>): string {
  let result = text;
  for (const [name, id] of Object.entries(ids)) result = result.replaceAll(id, `<${name}>`);
  return result;
}

test("another organisation's objects are not found on any portal page", async ({ page, request }) => {
  // About thirty page loads, each waiting for its API responses.
  test.setTimeout(240_000);
  const state = e2eState();
  const other = { authorization: `ApiKey ${state.otherApiKey}` };
  const own = { authorization: `ApiKey ${state.apiKey}` };

  const description = `Other tenant SIEM ${Date.now()}`;
  const foreignUrl = "http://127.0.0.1:9/other-tenant-hook";
  const created = await request.post("/v1/webhooks", { headers: other, data: { url: foreignUrl, events: ["finding.created"], description } });
  expect(created.status()).toBe(201);
  const foreignWebhook = await created.json();
  const rotated = await request.post(`/v1/webhooks/${foreignWebhook.id}/rotate`, { headers: other });
  const foreignSecrets: Array<{ id: string; fingerprint: string }> = (await rotated.json()).secrets;
  const published = await request.post("/v1/events", {
    headers: other,
    data: { type: "finding.created", subject: "fnd_OTHER7", data: { finding_id: "fnd_OTHER7", title: "Other tenant finding", severity: "high" } },
  });
  expect(published.status()).toBe(202);
  const foreignEvent = (await published.json()).id as string;
  const deliveries = await request.get(`/v1/webhooks/${foreignWebhook.id}/deliveries`, { headers: other });
  const foreignDelivery = (await deliveries.json()).data[0].id as string;

  const ownCreated = await request.post("/v1/webhooks", { headers: own, data: { url: "https://siem.example.com/hooks/isolation", events: ["finding.created"] } });
  const ownWebhook = (await ownCreated.json()).id as string;

  const foreignData = [
    state.otherOrganizationId,
    foreignWebhook.id,
    foreignDelivery,
    foreignEvent,
    foreignUrl,
    description,
    "fnd_OTHER7",
    "Other tenant finding",
    ...foreignSecrets.flatMap((secret) => [secret.id, secret.fingerprint]),
  ];
  const foreignIds = { id: foreignWebhook.id as string, deliveryId: foreignDelivery };
  const unknownIds = { id: newId("subscription"), deliveryId: newId("delivery") };

  await signIn(page, state.adminEmail, state.password);
  const pages = portalPages();
  expect(pages).toContain("/integrations/webhooks/[id]/deliveries/[deliveryId]");

  for (const pagePath of pages) {
    const names = dynamicSegments(pagePath);
    for (const name of names) expect(SEGMENT_KINDS[name], `${pagePath}: kind of [${name}]`).toBeDefined();

    // Every id from the other organisation, then for nested pages this organisation's webhook with the other's delivery.
    const assignments: Array<{ label: string; ids: Record<string, string>; unknown: Record<string, string> }> = [];
    if (names.length > 0) {
      const pick = (source: Record<string, string>) => Object.fromEntries(names.map((name) => [name, source[name]!]));
      assignments.push({ label: "other organisation's ids", ids: pick(foreignIds), unknown: pick(unknownIds) });
      if (names.length > 1) {
        assignments.push({
          label: "own webhook, other organisation's delivery",
          ids: { ...pick(foreignIds), id: ownWebhook },
          unknown: { ...pick(unknownIds), id: ownWebhook },
        });
      }
    }

    if (assignments.length === 0) {
      const seen = await visit(page, pagePath);
      for (const value of foreignData) expect(seen.html, `${pagePath} shows ${value}`).not.toContain(value);
      for (const response of seen.apiResponses) for (const value of foreignData) expect(response.body, `${response.url} returns ${value}`).not.toContain(value);
      continue;
    }

    for (const assignment of assignments) {
      const context = `${pagePath}, ${assignment.label}`;
      const settled = /not found|does not exist/i;
      const foreign = await visit(page, fillPath(pagePath, assignment.ids), settled);
      const unknown = await visit(page, fillPath(pagePath, assignment.unknown), settled);

      expect(withPlaceholders(foreign.text, assignment.ids), context).toBe(withPlaceholders(unknown.text, assignment.unknown));
      const sentIds = Object.values(assignment.ids);
      const html = withPlaceholders(foreign.html, assignment.ids);
      for (const value of foreignData.filter((value) => !sentIds.includes(value))) expect(html, `${context} shows ${value}`).not.toContain(value);
      for (const response of foreign.apiResponses) {
        // Every API call about one of the other organisation's objects gets a 404.
        if (sentIds.some((id) => id !== ownWebhook && response.url.includes(id))) expect(response.status, `${context}: ${response.url}`).toBe(404);
        const body = withPlaceholders(response.body, assignment.ids);
        for (const value of foreignData) expect(body, `${context}: ${response.url} returns ${value}`).not.toContain(value);
      }
    }
  }
});
