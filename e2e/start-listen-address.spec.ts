import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../scripts/lib/embedded-postgres";
import { E2E_KEYRING } from "./support/keyring";
import { acceptsConnections, killMarkedProcesses, type RunningCommand, runMarked, listeningAddresses, MARKER_VARIABLE, markedProcesses, waitFor } from "./support/start-processes";
import { e2eState } from "./support/state";

/**
 * Where the portal listens, read from the kernel's socket table (/proc/net/tcp
 * and tcp6) while the real product runs. `npm start` and `npm run dev`
 * (scripts/start.ts on an embedded PostgreSQL) and the production server
 * (web/server.ts) listen on loopback only unless WVK_HOST names another
 * address. No case lets the portal listen where another machine could
 * connect. The warning case names 192.0.2.1, a documentation address
 * (RFC 5737) that no interface of this machine has, so the portal fails to
 * listen after the warning. Linux only, like the embedded PostgreSQL.
 */
const UNASSIGNED_ADDRESS = "192.0.2.1";

test.describe("listen address", () => {
  test.skip(process.platform !== "linux", "reads /proc and runs the embedded PostgreSQL, which ships for Linux x64 only");
  const marker = randomBytes(8).toString("hex");
  let directory: string;

  test.beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "wvk-listen-address-"));
    // Under root PostgreSQL runs as the postgres user, which must reach the cluster inside this folder.
    await chmod(directory, 0o711);
  });

  test.afterAll(async () => {
    // A failed run must not leave its processes behind: end each one this spec started, by its id.
    killMarkedProcesses(marker);
    await rm(directory, { recursive: true, force: true });
  });

  /** Builds the environment of an `npm start` on this spec's own data folder and embedded PostgreSQL. */
  function startEnvironment(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      WVK_DATA_DIR: path.join(directory, "data"),
      PORT: String(port),
      LOG_LEVEL: "info",
      [MARKER_VARIABLE]: marker,
      ...extra,
    };
    for (const name of ["DATABASE_URL", "WVK_ENCRYPTION_KEYS", "NEXTAUTH_URL", "NEXTAUTH_SECRET", "WVK_HOST", "WVK_ALLOW_PRIVATE_DESTINATIONS"]) {
      if (!(name in extra)) delete environment[name];
    }
    return environment;
  }

  /** Stops a running `npm start` as Ctrl-C does and waits until every process of it has exited. */
  async function stopStart(run: RunningCommand): Promise<void> {
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    await waitFor("every process of the run to exit", 60_000, () => markedProcesses(marker).length === 0);
  }

  for (const mode of ["start", "dev"] as const) {
    test(`npm ${mode === "dev" ? "run dev" : "start"} listens on loopback only`, async () => {
      test.setTimeout(300_000);
      const port = await freePort();
      const run = runMarked(["scripts/start.ts", ...(mode === "dev" ? ["--dev"] : [])], startEnvironment(port));

      await waitFor("the start to finish", 240_000, () => {
        if (run.child.exitCode !== null) throw new Error(`npm start exited during start-up:\n${run.output()}`);
        return run.output().includes("press Ctrl-C to stop");
      });
      await waitFor("the portal to listen", 120_000, () => acceptsConnections(port));

      expect(listeningAddresses(port)).toEqual(["127.0.0.1"]);
      expect(run.output()).toContain(`[start] portal and API: http://localhost:${port} (REST API under /v1`);
      expect(run.output()).toContain(`[start] listening on 127.0.0.1:${port}, loopback only: other machines cannot connect`);
      expect(run.output()).toContain("[start] development mode: webhooks may target loopback");
      expect(run.output()).not.toContain("WARNING");
      await stopStart(run);
    });
  }

  test("npm start warns when listening beyond loopback", async () => {
    test.setTimeout(300_000);
    test.skip(
      readFileSync("/proc/sys/net/ipv4/ip_nonlocal_bind", "utf8").trim() !== "0",
      "this machine may listen on addresses it does not have, so the portal would start",
    );
    const port = await freePort();
    const run = runMarked(["scripts/start.ts"], startEnvironment(port, { WVK_HOST: UNASSIGNED_ADDRESS }));

    const code = await Promise.race([run.exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 240_000).unref())]);
    expect(code, run.output()).toBe(1);
    const output = run.output();
    expect(output).toContain(`[start] listening on ${UNASSIGNED_ADDRESS}:${port}: other machines on that address's network can connect`);
    expect(output).toContain(
      `[start] WARNING: The portal and API listen on ${UNASSIGNED_ADDRESS}, where other machines can connect, and WVK_ALLOW_PRIVATE_DESTINATIONS allows webhooks to loopback`,
    );
    expect(output).toContain("Listen on loopback only (the default when WVK_HOST is unset), or set WVK_ALLOW_PRIVATE_DESTINATIONS=0.");
    // The web server logs the same warning for log collectors, then fails to listen on an address this machine lacks.
    expect(output).toMatch(/"level":40,[^\n]*"msg":"The portal and API listen on 192\.0\.2\.1, where other machines can connect/);
    expect(output).toContain("portal and API cannot listen: listen EADDRNOTAVAIL");
    expect(output).toContain("[start] portal cannot run with the current settings (code 78; its log above says why); stopping everything");
    expect(listeningAddresses(port)).toEqual([]);
    await waitFor("every process of the run to exit", 60_000, () => markedProcesses(marker).length === 0);
  });

  // The production server on its own, as a deployment runs it: on the browser tests' database, without npm start.
  for (const [label, host, expected] of [
    ["on loopback by default", undefined, "127.0.0.1"],
    ["on WVK_HOST", "127.0.0.2", "127.0.0.2"],
  ] as const) {
    test(`production server listens ${label}`, async () => {
      test.setTimeout(120_000);
      const port = await freePort();
      const environment: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: e2eState().databaseUrl,
        WVK_ENCRYPTION_KEYS: E2E_KEYRING,
        NEXTAUTH_SECRET: "listen-address-session-secret-0123456789abcdef",
        NODE_ENV: "production",
        LOG_LEVEL: "info",
        [MARKER_VARIABLE]: marker,
      };
      delete environment.WVK_HOST;
      if (host) environment.WVK_HOST = host;
      const run = runMarked(["web/server.ts", "--port", String(port)], environment);

      await waitFor("the production server to listen", 90_000, () => {
        if (run.child.exitCode !== null) throw new Error(`web/server.ts exited during start-up:\n${run.output()}`);
        return run.output().includes('"msg":"portal and API listening');
      });
      expect(listeningAddresses(port)).toEqual([expected]);
      expect(run.output()).toContain(`"msg":"portal and API listening on ${expected}:${port}, loopback only: other machines cannot connect"`);

      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    });
  }
});
