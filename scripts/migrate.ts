import { applyMigrations } from "./lib/migrations";

/**
 * `npm run db:migrate`: applies pending migrations and installs or upgrades the
 * job queue schema on DATABASE_URL. `npm start` does the same on every start.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("DATABASE_URL is missing: set it to the database to migrate (npm start migrates its embedded database itself)\n");
  process.exit(2);
}
const result = await applyMigrations(url);
const { installQueue } = await import("../lib/dispatch/queue");
await installQueue();
process.stdout.write(`applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(", ")}` : ""}; ${result.alreadyApplied} were already applied; job queue ready\n`);
