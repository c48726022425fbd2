import { createApiKey } from "../../lib/accounts/api-keys";
import { createOrganization, createUser } from "../../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { closeDatabase } from "../../lib/db";

/**
 * Creates an organisation with an all-scopes API key in the browser tests'
 * database (DATABASE_URL) and prints {"organizationId", "apiKey"} as JSON.
 * With an email and a password it also creates an admin who signs in with
 * them. A spec that publishes events uses its own organisation, so webhooks
 * other specs registered (with hosts that must never be contacted) receive
 * nothing. A spec that counts audit entries uses one, so it counts only its own.
 * Runs under tsx, in its own process, like prepare-database.ts.
 */
const [name, adminEmail, adminPassword] = process.argv.slice(2);
if (!name) throw new Error("Usage: tsx e2e/support/create-tenant.ts <organisation name> [<admin email> <admin password>]");

const organization = await createOrganization(name);
if (adminEmail && adminPassword) await createUser(organization.id, { email: adminEmail, name: "Ari Auditor", password: adminPassword, role: "admin" });
const key = await createApiKey(organization.id, { name: `${name} key`, scopes: [...SCOPES] }, SYSTEM_ACTOR);
await closeDatabase();
process.stdout.write(JSON.stringify({ organizationId: organization.id, apiKey: key.key }));
