import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies the committed migrations in prisma/migrations, in name order, each in
 * its own transaction. Progress is kept in `_prisma_migrations` with Prisma's
 * own layout. Prisma's CLI is not used to apply them: without a downloaded
 * native engine it must go through @prisma/adapter-pg, which fails on catalog
 * columns of type `name` (https://github.com/prisma/orm/issues/27403) and runs
 * a script as statements split at every semicolon, which breaks function
 * bodies. An advisory lock makes concurrent starts safe.
 */
export const MIGRATIONS_DIRECTORY = path.join(import.meta.dirname, "..", "..", "prisma", "migrations");
const LOCK_KEY = 7_406_213_177;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

function checksum(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** Brings the database at `databaseUrl` up to the latest migration. */
export async function applyMigrations(databaseUrl: string, directory = MIGRATIONS_DIRECTORY): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "wasviking-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const appliedChecksums = new Map(done.rows.map((row) => [row.migration_name, row.checksum]));
    const names = (await readdir(directory, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const applied: string[] = [];
    for (const name of names) {
      const sql = await readFile(path.join(directory, name, "migration.sql"), "utf8");
      const known = appliedChecksums.get(name);
      if (known !== undefined) {
        if (known !== checksum(sql)) {
          throw new Error(`Migration ${name} was changed after it was applied: restore its migration.sql and add a new migration instead`);
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at) VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), checksum(sql), name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
    }
    return { applied, alreadyApplied: names.length - applied.length };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
