import { createApiKey } from "../../lib/accounts/api-keys";
import { createOrganization, createUser } from "../../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { addUsage } from "../../lib/caps/usage-counters";
import { DAY_MS } from "../../lib/caps/window";
import { closeDatabase, pool } from "../../lib/db";

/**
 * Prepares the Usage tab's browser test in the browser tests' database
 * (DATABASE_URL). Runs under tsx, in its own process, like create-tenant.ts.
 *
 * - `organisation <name> <email> <password>` creates an organisation of its
 *   own, so no other spec's webhook receives its events, with an admin and an
 *   all-scopes API key, and prints {"organizationId", "apiKey"} as JSON.
 * - `history <webhookId>` records earlier days of the webhook's usage through
 *   the usage counters, as the worker records them, and prints each day's
 *   figures as JSON: a month of real deliveries cannot be waited for.
 */
const [mode, ...rest] = process.argv.slice(2);

if (mode === "organisation") {
  const [name, email, password] = rest;
  if (!name || !email || !password) throw new Error("Usage: tsx e2e/support/seed-usage.ts organisation <name> <email> <password>");
  const organization = await createOrganization(name);
  const user = await createUser(organization.id, { email, name: "Uma Usage", password, role: "admin" });
  const key = await createApiKey(organization.id, { name: `${name} key`, scopes: [...SCOPES], createdByUserId: user.id }, SYSTEM_ACTOR);
  process.stdout.write(JSON.stringify({ organizationId: organization.id, apiKey: key.key }));
} else if (mode === "history") {
  const [webhookId] = rest;
  if (!webhookId) throw new Error("Usage: tsx e2e/support/seed-usage.ts history <webhookId>");
  const now = Date.now();
  const days = [
    { daysAgo: 3, counted: 42, succeeded: 40, failed: 2, held: 0 },
    { daysAgo: 1, counted: 5, succeeded: 4, failed: 1, held: 3 },
  ];
  for (const day of days) {
    // Noon UTC of that day, well inside it whatever the time of the run.
    const at = new Date(Math.floor((now - day.daysAgo * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS / 2);
    await addUsage(pool(), [{ subscriptionId: webhookId, at, counted: day.counted, succeeded: day.succeeded, failed: day.failed, held: day.held }]);
  }
  process.stdout.write(JSON.stringify(days));
} else {
  throw new Error("Usage: tsx e2e/support/seed-usage.ts organisation|history …");
}
await closeDatabase();
