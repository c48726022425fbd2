import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";

/**
 * Checks of what arrives with a request before any operation runs: webhook URLs are parsed strictly.
 */
const WEBHOOK = { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] };

describe("webhook URLs", () => {
  let tenant: Tenant;
  let webhookId: string;

  beforeAll(async () => {
    tenant = await createTenant("Strict URLs");
    webhookId = (await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK })).body.id;
  });

  it.each([
    ["http:///x", 'The URL has an empty host: nothing comes between "http://" and the next "/"'],
    ["https:/siem.example.com/hooks", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:siem.example.com/hooks", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:\\\\siem.example.com\\hooks", 'The URL contains a backslash at character 7, which URL parsers read as "/": use "/" between path segments, or write a literal backslash as %5C'],
    ["https://siem.example.com/ho\toks", "The URL contains a tab at character 28: remove it"],
    ["https://siem.exa\nmple.com/hooks", "The URL contains a line feed at character 17: remove it"],
    ["https://@siem.example.com/hooks", 'The URL has an "@" with no user name before the host: remove the "@"'],
  ])("rejects %j on create and update, naming the problem", async (url, message) => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url } });
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([{ field: "url", message }]);

    const updated = await api("PATCH", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey, body: { url } });
    expect(updated.status).toBe(422);
    expect(updated.body.errors).toEqual([{ field: "url", message }]);
  });

  it("stores nothing for a rejected URL", async () => {
    await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url: "http:///x" } });
    const stored = await pool().query(`SELECT url FROM subscriptions WHERE organization_id = $1`, [tenant.organizationId]);
    expect(stored.rows.map((row) => row.url)).toEqual([WEBHOOK.url]);
  });

  it("keeps a backslash in the query as sent", async () => {
    const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url: "https://siem.example.com/hooks?share=C:\\in" } });
    expect(response.status).toBe(201);
    expect(response.body.url).toBe("https://siem.example.com/hooks?share=C:\\in");
  });
});
