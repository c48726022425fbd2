import { type ChildProcess, spawnSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { buildIfNeeded } from "../../scripts/lib/build";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { startService, stopService } from "../../scripts/lib/processes";
import { E2E_KEYRING } from "./keyring";
import type { E2eState } from "./state";

/**
 * Starts the real product for the browser tests: a fresh database (on
 * DATABASE_URL's server, WVK_TEST_SERVER_URL, or an embedded PostgreSQL),
 * a production build of the portal on E2E_PORT, and a worker. Returns the
 * teardown that stops them and drops the database.
 */
const projectDirectory = path.resolve(import.meta.dirname, "..", "..");

async function waitForServer(url: string, processes: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (processes.some((child) => child.exitCode !== null)) throw new Error("The portal or the worker exited during start-up; see the output above");
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`The portal did not answer at ${url} within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  let serverUrl = process.env.WVK_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ dataDirectory: path.join(projectDirectory, ".data", "test-postgres"), port: 0 });
    serverUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const prepared = spawnSync("npx", ["tsx", "e2e/support/prepare-database.ts", serverUrl], {
    cwd: projectDirectory,
    encoding: "utf8",
    env: { ...process.env, WVK_ENCRYPTION_KEYS: E2E_KEYRING, LOG_LEVEL: "warn" },
  });
  if (prepared.status !== 0) throw new Error(`Preparing the test database failed:\n${prepared.stderr}`);
  const port = Number(process.env.E2E_PORT);
  const baseUrl = `http://127.0.0.1:${port}`;
  const state: E2eState = { ...(JSON.parse(prepared.stdout) as Omit<E2eState, "baseUrl">), baseUrl };
  process.env.WVK_E2E_STATE = JSON.stringify(state);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: state.databaseUrl,
    WVK_ENCRYPTION_KEYS: E2E_KEYRING,
    WVK_ALLOW_PRIVATE_DESTINATIONS: "1",
    NEXTAUTH_SECRET: "e2e-session-secret-that-is-long-enough-0123456789",
    NEXTAUTH_URL: baseUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  // The servers under test may look up loopback names only, so no spec can reach an outside host by accident.
  const guard = path.join(projectDirectory, "tests", "support", "loopback-dns.mjs");
  const loopbackOnlyDns = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${guard}`.trim() };
  buildIfNeeded(env, (message) => process.stdout.write(`[e2e] ${message}\n`));
  const processes = [
    startService("tsx", ["web/server.ts", "--port", String(port), "--hostname", "127.0.0.1"], { ...env, ...loopbackOnlyDns, NODE_ENV: "production", WVK_SERVICE: "web" }),
    startService("tsx", ["worker/main.ts"], { ...env, ...loopbackOnlyDns, WVK_SERVICE: "worker" }),
  ];
  await waitForServer(`${baseUrl}/`, processes);

  return async () => {
    await Promise.all(processes.map((child) => stopService(child)));
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${state.databaseName} WITH (FORCE)`);
    await admin.end();
    await stopEmbedded?.();
  };
}
