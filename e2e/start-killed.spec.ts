import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../scripts/lib/embedded-postgres";
import { WORKER_SETTINGS_FILE } from "../scripts/lib/worker-settings";
import { acceptsConnections, killMarkedProcesses, MARKER_VARIABLE, markedProcesses, waitFor } from "./support/start-processes";

/**
 * `npm start` runs the portal, the worker and the embedded PostgreSQL in process
 * groups of their own. This test starts the real supervisor (scripts/start.ts)
 * on the production build that the browser tests' setup made, kills it with
 * SIGKILL and checks that everything it started stops by itself: the worker as
 * on SIGTERM, PostgreSQL with a clean shutdown. Each process of the run
 * inherits a marker variable, which /proc shows, so the test finds them all
 * without knowing their ids in advance. Linux only, like the embedded
 * PostgreSQL. It lives with the browser tests because they build the portal,
 * which `npm start` would otherwise do itself.
 */
const projectDirectory = path.resolve(import.meta.dirname, "..");
test.describe("npm start killed with SIGKILL", () => {
  test.skip(process.platform !== "linux", "reads /proc and runs the embedded PostgreSQL, which ships for Linux x64 only");
  const marker = randomBytes(8).toString("hex");
  const directories: string[] = [];

  test.afterAll(async () => {
    // A failed run must not leave its processes behind: end each one this run started, by its id.
    killMarkedProcesses(marker);
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  /** Runs scripts/start.ts as npm would, in a fresh data directory, and waits until the product is up. */
  async function startProduct(launchedBy: "node" | "shell") {
    const directory = await mkdtemp(path.join(tmpdir(), "wvk-start-killed-"));
    directories.push(directory);
    // Under root PostgreSQL runs as the postgres user, which must reach the cluster inside this folder.
    await chmod(directory, 0o711);
    const dataDirectory = path.join(directory, "data");
    const port = await freePort();

    const environment: NodeJS.ProcessEnv = { ...process.env, WVK_DATA_DIR: dataDirectory, PORT: String(port), LOG_LEVEL: "info", [MARKER_VARIABLE]: marker };
    // Without DATABASE_URL the supervisor runs an embedded PostgreSQL of its own, with its own keyring.
    for (const name of ["DATABASE_URL", "WVK_ENCRYPTION_KEYS", "NEXTAUTH_URL", "NEXTAUTH_SECRET"]) delete environment[name];
    const command = [process.execPath, "--import", "tsx", "scripts/start.ts"];
    const supervisor: ChildProcess =
      launchedBy === "node"
        ? spawn(command[0]!, command.slice(1), { cwd: projectDirectory, env: environment, stdio: ["ignore", "pipe", "pipe"] })
        : // The trailing command keeps the shell from replacing itself with node, so it stays the supervisor's parent.
          spawn("sh", ["-c", `${command.map((part) => `'${part}'`).join(" ")}; true`], {
            cwd: projectDirectory,
            env: { ...environment, npm_lifecycle_event: "start" },
            stdio: ["ignore", "pipe", "pipe"],
          });
    const run = { supervisor, dataDirectory, port, output: "" };
    supervisor.stdout!.on("data", (chunk: Buffer) => (run.output += chunk.toString()));
    supervisor.stderr!.on("data", (chunk: Buffer) => (run.output += chunk.toString()));

    await waitFor("the start to finish", 240_000, () => {
      if (supervisor.exitCode !== null) throw new Error(`npm start exited during start-up:\n${run.output}`);
      return run.output.includes("press Ctrl-C to stop") && run.output.includes('"msg":"worker started"');
    });
    await waitFor("the portal to listen", 120_000, () => acceptsConnections(port));
    const started = await waitFor("the watchdog to start", 60_000, () => {
      const processes = markedProcesses(marker);
      return processes.some((entry) => entry.command.includes("scripts/watchdog.ts")) ? processes : null;
    });
    const commands = started.map((entry) => entry.command);
    expect(commands.some((command) => command.includes("worker/main.ts")), commands.join("\n")).toBe(true);
    expect(commands.some((command) => command.includes("web/server.ts")), commands.join("\n")).toBe(true);
    expect(commands.some((command) => /\/postgres -D /.test(command)), commands.join("\n")).toBe(true);
    expect(existsSync(path.join(dataDirectory, "start.pid"))).toBe(true);
    expect(existsSync(path.join(dataDirectory, WORKER_SETTINGS_FILE))).toBe(true);
    return run;
  }

  /** Waits until no process of the run is left, and fails with what still runs and the run's output. */
  async function expectEverythingStopped(output: () => string): Promise<void> {
    await waitFor("every process of the run to exit", 120_000, () => markedProcesses(marker).length === 0).catch((error: Error) => {
      const running = markedProcesses(marker).map((entry) => `${entry.pid} ${entry.command}`);
      throw new Error(`${error.message}. Still running:\n${running.join("\n")}\nOutput:\n${output()}`);
    });
  }

  // "supervisor": scripts/start.ts itself is killed. "launcher": the process that ran it is, as when npm's own
  // process gets the signal. A shell that carries npm's script environment takes npm's place.
  for (const killed of ["supervisor", "launcher"] as const) {
    test(`stops everything when the ${killed} is killed`, async () => {
      test.setTimeout(300_000);
      const run = await startProduct(killed === "supervisor" ? "node" : "shell");
      const { supervisor, dataDirectory } = run;
      const supervisorExited = new Promise<NodeJS.Signals | null>((resolve) => supervisor.once("exit", (_code, signal) => resolve(signal)));

      supervisor.kill("SIGKILL");
      expect(await supervisorExited).toBe("SIGKILL");

      await expectEverythingStopped(() => run.output);
      expect(run.output).toContain(killed === "supervisor" ? "[watchdog] npm start" : "[watchdog] the process that ran npm start exited");
      expect(run.output).toContain('"msg":"worker stopping: finishing attempts in flight"');
      // PostgreSQL removes postmaster.pid only on a clean shutdown.
      expect(existsSync(path.join(dataDirectory, "postgres", "postmaster.pid"))).toBe(false);
      expect(existsSync(path.join(dataDirectory, "start.pid"))).toBe(false);
      // A leftover file whose process id went to another process would send a later `npm run worker` to the stopped database.
      expect(existsSync(path.join(dataDirectory, WORKER_SETTINGS_FILE))).toBe(false);
    });
  }

  test("restarts a crashed worker, and the watchdog stops the new one", async () => {
    test.setTimeout(300_000);
    const run = await startProduct("node");
    const firstWorkers = markedProcesses(marker).filter((entry) => entry.command.includes("worker/main.ts"));
    for (const worker of firstWorkers) process.kill(worker.pid, "SIGKILL");

    await waitFor("the worker to be restarted", 120_000, () => run.output.includes("[start] worker restarted"));
    expect(run.output).toMatch(/\[start\] worker exited unexpectedly \([^)]+\); restarting it in 1 s/);
    await waitFor("the new worker to start", 120_000, () => run.output.split('"msg":"worker started"').length === 3);
    const newWorkers = markedProcesses(marker).filter((entry) => entry.command.includes("worker/main.ts"));
    expect(newWorkers.length).toBeGreaterThan(0);
    expect(newWorkers.some((worker) => firstWorkers.some((first) => first.pid === worker.pid))).toBe(false);
    // The portal never stopped.
    expect(await acceptsConnections(run.port)).toBe(true);

    // The watchdog only knew the first worker's id when it started; it must stop the restarted one too.
    run.supervisor.kill("SIGKILL");
    await expectEverythingStopped(() => run.output);
    expect(existsSync(path.join(run.dataDirectory, "postgres", "postmaster.pid"))).toBe(false);
  });
});
