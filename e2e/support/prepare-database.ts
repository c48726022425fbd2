import { randomBytes } from "node:crypto";
import pg from "pg";
import { createApiKey } from "../../lib/accounts/api-keys";
import { createOrganization, createUser } from "../../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { closeDatabase } from "../../lib/db";
import { applyMigrations } from "../../scripts/lib/migrations";
import type { E2eState } from "./state";

/**
 * Creates a fresh database for one browser-test run on the server given in
 * argv[2], migrates it, seeds two organisations and prints the state as JSON.
 * Runs under tsx, in its own process, so the product's modules load as they
 * do in production.
 */
const serverUrl = process.argv[2];
if (!serverUrl) throw new Error("Usage: tsx e2e/support/prepare-database.ts <postgres server url>");

const name = `wvk_e2e_${process.pid}_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();
const url = new URL(serverUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

await applyMigrations(url.toString());
const { installQueue } = await import("../../lib/dispatch/queue");
await installQueue();

const password = "correct-horse-battery-staple";
const organization = await createOrganization("Acme Security");
const adminUser = await createUser(organization.id, { email: "admin@acme.test", name: "Ada Admin", password, role: "admin" });
await createUser(organization.id, { email: "viewer@acme.test", name: "Victor Viewer", password, role: "viewer" });
const apiKey = await createApiKey(organization.id, { name: "e2e key", scopes: [...SCOPES], createdByUserId: adminUser.id }, SYSTEM_ACTOR);
const other = await createOrganization("Other Tenant");
await createUser(other.id, { email: "admin@other.test", name: "Olga Other", password, role: "admin" });
const otherKey = await createApiKey(other.id, { name: "other key", scopes: [...SCOPES] }, SYSTEM_ACTOR);
await closeDatabase();

const state: Omit<E2eState, "baseUrl"> = {
  databaseName: name,
  databaseUrl: url.toString(),
  password,
  organizationId: organization.id,
  adminEmail: "admin@acme.test",
  viewerEmail: "viewer@acme.test",
  apiKey: apiKey.key,
  otherOrganizationId: other.id,
  otherAdminEmail: "admin@other.test",
  otherApiKey: otherKey.key,
};
process.stdout.write(JSON.stringify(state));
