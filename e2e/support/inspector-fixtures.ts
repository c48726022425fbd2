import { randomBytes } from "node:crypto";
import { createApiKey } from "../../lib/accounts/api-keys";
import { createOrganization, createUser } from "../../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { closeDatabase } from "../../lib/db";
import { sendTestDelivery } from "../../lib/deliveries/manual-attempts";
import { createHttpClient } from "../../lib/dispatch/http-client";
import { producer, stopProducer } from "../../lib/dispatch/producer";

/**
 * Data for the deliveries inspector's browser tests, made through the
 * product's own modules in a process of its own (like create-tenant.ts), on
 * the browser tests' database (DATABASE_URL). Prints JSON.
 *
 *   tsx e2e/support/inspector-fixtures.ts tenant
 *     An organisation with an admin, a viewer and an all-scopes API key, so
 *     the events it publishes reach only its own webhooks.
 *   tsx e2e/support/inspector-fixtures.ts blocked <organisation id> <webhook id>
 *     A test delivery made under the production destination rules, which
 *     block the webhook's loopback URL before any connection is opened.
 */
const [command, ...rest] = process.argv.slice(2);

async function tenant() {
  const organization = await createOrganization("Inspector Team");
  const suffix = randomBytes(3).toString("hex");
  const password = randomBytes(12).toString("base64url");
  const adminEmail = `inspector-admin-${suffix}@acme.test`;
  const viewerEmail = `inspector-viewer-${suffix}@acme.test`;
  await createUser(organization.id, { email: adminEmail, name: "Ines Inspector", password, role: "admin" });
  await createUser(organization.id, { email: viewerEmail, name: "Vera Viewer", password, role: "viewer" });
  const key = await createApiKey(organization.id, { name: "inspector key", scopes: [...SCOPES] }, SYSTEM_ACTOR);
  return { organizationId: organization.id, apiKey: key.key, adminEmail, viewerEmail, password };
}

async function blocked(organizationId: string, webhookId: string) {
  const strict = createHttpClient({ allowPrivate: false });
  try {
    const principal = { organizationId, actor: SYSTEM_ACTOR, via: "api_key" as const, scopes: new Set(SCOPES) };
    const result = await sendTestDelivery(principal, webhookId, new Date(), { boss: await producer(), http: strict });
    return { deliveryId: result.deliveryId, errorClass: result.record.verdict.errorClass };
  } finally {
    await strict.close();
  }
}

let output: unknown;
if (command === "tenant") output = await tenant();
else if (command === "blocked" && rest.length === 2) output = await blocked(rest[0]!, rest[1]!);
else throw new Error("Usage: tsx e2e/support/inspector-fixtures.ts tenant | blocked <organisation id> <webhook id>");
await stopProducer();
await closeDatabase();
process.stdout.write(JSON.stringify(output));
