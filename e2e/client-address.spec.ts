import { expect, test } from "@playwright/test";
import pg from "pg";
import { e2eState } from "./support/state";

/**
 * The web server records the TCP peer of each request. With no trusted proxy
 * configured, neither an X-Forwarded-For header nor a forged copy of the peer
 * header makes a request look as if it came from somewhere else. The audit
 * trail and the throttling of failed credentials both see the real address.
 */
test("a client cannot choose the address the audit trail records", async ({ request }) => {
  const state = e2eState();
  const created = await request.post("/v1/webhooks", {
    headers: {
      authorization: `ApiKey ${state.apiKey}`,
      "x-forwarded-for": "203.0.113.99",
      "x-wasviking-peer-address": "203.0.113.98",
    },
    data: { url: "https://siem.example.com/hooks/address-check", events: ["finding.created"] },
  });
  expect(created.status()).toBe(201);
  const webhookId: string = (await created.json()).id;

  const client = new pg.Client({ connectionString: state.databaseUrl });
  await client.connect();
  try {
    const audit = await client.query(`SELECT source_ip FROM audit_entries WHERE action = 'webhook.created' AND target_id = $1`, [webhookId]);
    expect(audit.rows).toHaveLength(1);
    expect(["127.0.0.1", "::1"]).toContain(audit.rows[0].source_ip);
  } finally {
    await client.end();
  }
});
