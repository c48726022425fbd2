import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { applyMigrations } from "../../scripts/lib/migrations";

/**
 * A PostgreSQL server of a test's own (the embedded binaries, a fresh cluster
 * in a temporary directory), which the test may stop, kill and start again on
 * the same port and data. Other tests share the machine's server and must
 * never see it restart.
 */
export interface RestartablePostgres {
  // Connection URL of the migrated database; the same across restarts.
  url: string;
  // Fast shutdown: open sessions are ended, nothing committed is lost.
  stop(): Promise<void>;
  // SIGKILL of the server and its backends; the next start runs crash recovery.
  kill(): Promise<void>;
  start(): Promise<void>;
  // Stops the server if it runs and deletes its data directory.
  remove(): Promise<void>;
}

/** Initialises, starts and migrates a new cluster; takes a few seconds. */
export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  // Under root the cluster belongs to the postgres user, which can reach /tmp but not a private home folder.
  const dataDirectory = await mkdtemp(path.join(tmpdir(), "wvk-restartable-postgres-"));
  const port = await freePort();
  let server: EmbeddedDatabase | undefined = await startEmbeddedPostgres({ dataDirectory, port });
  if (server.dataDirectory !== dataDirectory) throw new Error(`The cluster was placed in ${server.dataDirectory} instead of ${dataDirectory}`);
  const url = server.url;
  await applyMigrations(url);

  const running = (): EmbeddedDatabase => {
    if (!server) throw new Error("The test's PostgreSQL is not running");
    return server;
  };
  return {
    url,
    async stop() {
      await running().stop();
      server = undefined;
    },
    async kill() {
      await running().kill();
      server = undefined;
    },
    async start() {
      if (server) throw new Error("The test's PostgreSQL is already running");
      server = await startEmbeddedPostgres({ dataDirectory, port });
      if (server.url !== url) throw new Error(`The restarted PostgreSQL listens at another address (${server.url})`);
    },
    async remove() {
      await server?.stop();
      server = undefined;
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}
