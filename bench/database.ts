import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { applyMigrations } from "../scripts/lib/migrations";
import { PROJECT_DIRECTORY } from "./processes";

/**
 * The benchmark's own database: a fresh one on DATABASE_URL's server, or on an
 * embedded PostgreSQL kept in .data/bench-postgres (the same binaries `npm
 * test` uses). It is migrated like production and dropped at the end.
 */
export interface BenchDatabase {
  url: string;
  serverVersion: string;
  embedded: boolean;
  // Whether pg_stat_statements is loaded and installed in the benchmark database.
  statements: boolean;
  drop(): Promise<void>;
}

function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Drops a database once its last connections have closed. Closed pools can
 * take a moment to disconnect, and forcing the drop at once would make them
 * report the killed connections as errors.
 */
async function dropWhenIdle(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      // 55006: the database is still being accessed by other users.
      if ((error as { code?: string }).code !== "55006") throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Creates, migrates and returns the benchmark database, with pg_stat_statements when `statements` is set. */
export async function createBenchDatabase(options: {
  useEmbedded: boolean;
  statements: boolean;
  keep: boolean;
  log: (message: string) => void;
}): Promise<BenchDatabase> {
  let serverUrl = options.useEmbedded ? undefined : process.env.DATABASE_URL;
  let stopServer: (() => Promise<void>) | undefined;
  if (!serverUrl) {
    const server = await startEmbeddedPostgres({
      dataDirectory: path.join(PROJECT_DIRECTORY, ".data", "bench-postgres"),
      port: 0,
      settings: options.statements ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "top", "pg_stat_statements.track_planning": "on" } : {},
    });
    serverUrl = server.url;
    stopServer = () => server.stop();
    options.log(`embedded PostgreSQL in ${server.dataDirectory}`);
  }

  const name = `wvk_bench_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl, application_name: "wasviking-bench" });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    await stopServer?.();
    throw new Error(`Could not create the benchmark database on ${new URL(serverUrl).host}: ${(error as Error).message}. The role needs CREATEDB`, {
      cause: error,
    });
  }
  const url = databaseUrlOn(serverUrl, name);
  await applyMigrations(url);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let statements = false;
  let serverVersion: string;
  try {
    serverVersion = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    if (options.statements) {
      const loaded = await client.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'");
      if (loaded.rows[0]?.setting.split(",").some((library) => library.trim() === "pg_stat_statements")) {
        await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        statements = true;
      } else {
        options.log("pg_stat_statements is not in shared_preload_libraries of this server: statement counts are skipped (use --embedded)");
      }
    }
  } finally {
    await client.end();
  }

  return {
    url,
    serverVersion,
    embedded: stopServer !== undefined,
    statements,
    async drop() {
      try {
        if (options.keep) options.log(`benchmark database kept: ${url.replace(/:[^:@/]*@/, ":***@")}`);
        else await dropWhenIdle(admin, name);
      } finally {
        await admin.end();
        // A kept database on the embedded server stays on disk and is reachable at the next start.
        await stopServer?.();
      }
    },
  };
}
