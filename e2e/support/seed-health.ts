import { closeDatabase, pool } from "../../lib/db";
import { DISABLE_AFTER_MS, WARNING_BEFORE_MS } from "../../lib/subscriptions/health";
import { healthUpdate } from "../../lib/subscriptions/health-store";

/**
 * Prepares the health browser test in the browser tests' database
 * (DATABASE_URL). Runs under tsx, in its own process, like seed-usage.ts.
 *
 * `warned <webhookId>` records a run of failed attempts that began an hour
 * into the warning day, through the same function that records attempts, and
 * prints {"failingSince", "disableAt", "consecutiveFailures"} as JSON: four
 * days of failures cannot be waited for.
 */
const [mode, webhookId] = process.argv.slice(2);
if (mode !== "warned" || !webhookId) throw new Error("Usage: tsx e2e/support/seed-health.ts warned <webhookId>");

const now = Date.now();
const failingSince = new Date(now - (DISABLE_AFTER_MS - WARNING_BEFORE_MS) - 60 * 60 * 1000);
const consecutiveFailures = 12;
const update = healthUpdate([
  { subscriptionId: webhookId, reset: false, failures: consecutiveFailures, failingSince, lastFailureAt: new Date(now - 5 * 60 * 1000) },
]);
await pool().query(update.sql, update.values);
const disableAt = new Date(failingSince.getTime() + DISABLE_AFTER_MS);
process.stdout.write(JSON.stringify({ failingSince: failingSince.toISOString(), disableAt: disableAt.toISOString(), consecutiveFailures }));
await closeDatabase();
