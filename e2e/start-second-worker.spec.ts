import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../scripts/lib/embedded-postgres";
import { WORKER_SETTINGS_FILE } from "../scripts/lib/worker-settings";
import { acceptsConnections, killMarkedProcesses, runMarked, MARKER_VARIABLE, markedProcesses, waitFor } from "./support/start-processes";

/**
 * A second `npm run worker` next to `npm start` on its embedded PostgreSQL,
 * without DATABASE_URL: the worker reads .data/worker-settings.json, which
 * npm start writes. Each worker allows 2 requests per webhook at once and the
 * receiver delays every response by 400 ms, so npm start's worker alone could
 * not take the whole burst before the second one fetches its share. Each
 * worker logs every attempt it records at debug level, and the test counts
 * those lines in each worker's own output. Linux only, like the embedded
 * PostgreSQL.
 */
const EVENTS = 24;
const RECEIVER_DELAY_MS = 400;

/** Counts the "attempt recorded" log lines of one worker; `service` picks it out of npm start's mixed output. */
function recordedAttempts(output: string, service: string): number {
  return output.split("\n").filter((line) => line.includes(`"service":"${service}"`) && line.includes('"msg":"attempt recorded"')).length;
}

test.describe("a second worker on npm start's database", () => {
  test.skip(process.platform !== "linux", "reads /proc and runs the embedded PostgreSQL, which ships for Linux x64 only");
  const marker = randomBytes(8).toString("hex");
  let directory: string;
  let receiver: Server | undefined;

  test.beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "wvk-second-worker-"));
    // Under root PostgreSQL runs as the postgres user, which must reach the cluster inside this folder.
    await chmod(directory, 0o711);
  });

  test.afterAll(async () => {
    // A failed run must not leave its processes behind: end each one this spec started, by its id.
    killMarkedProcesses(marker);
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await rm(directory, { recursive: true, force: true });
  });

  test("both workers deliver", async () => {
    test.setTimeout(300_000);
    const dataDirectory = path.join(directory, "data");
    const settingsFile = path.join(dataDirectory, WORKER_SETTINGS_FILE);
    const port = await freePort();
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      WVK_DATA_DIR: dataDirectory,
      LOG_LEVEL: "debug",
      WORKER_PER_WEBHOOK_CONCURRENCY: "2",
      [MARKER_VARIABLE]: marker,
    };
    // Without these the supervisor runs an embedded PostgreSQL of its own, and the second worker must find it alone.
    for (const name of ["DATABASE_URL", "WVK_ENCRYPTION_KEYS", "NEXTAUTH_URL", "NEXTAUTH_SECRET", "WVK_HOST", "WVK_ALLOW_PRIVATE_DESTINATIONS", "WVK_SERVICE"]) {
      delete environment[name];
    }

    const start = runMarked(["scripts/start.ts"], { ...environment, PORT: String(port) });
    await waitFor("the start to finish", 240_000, () => {
      if (start.child.exitCode !== null) throw new Error(`npm start exited during start-up:\n${start.output()}`);
      return start.output().includes("press Ctrl-C to stop") && start.output().includes('"msg":"worker started"');
    });
    await waitFor("the portal to listen", 120_000, () => acceptsConnections(port));
    expect(start.output()).toContain("[start] to add a worker on this database, run npm run worker in another terminal");
    expect(statSync(settingsFile).mode & 0o777).toBe(0o600);
    const settings = JSON.parse(readFileSync(settingsFile, "utf8")) as { pid: number; environment: Record<string, string> };
    const databasePassword = decodeURIComponent(new URL(settings.environment.DATABASE_URL!).password);
    expect(databasePassword.length).toBeGreaterThan(0);
    expect(Object.keys(settings.environment).sort()).toEqual(["DATABASE_URL", "WVK_ALLOW_PRIVATE_DESTINATIONS", "WVK_ENCRYPTION_KEYS"]);

    const second = runMarked(["worker/main.ts"], { ...environment, WVK_SERVICE: "second-worker" });
    await waitFor("the second worker to start", 60_000, () => {
      if (second.child.exitCode !== null) throw new Error(`npm run worker exited during start-up:\n${second.output()}`);
      return second.output().includes('"msg":"worker started"');
    });
    expect(second.output()).toContain('"msg":"worker joins the embedded PostgreSQL of npm start"');
    expect(second.output()).toContain(`"npmStartPid":${settings.pid}`);
    // Development mode comes from npm start's settings, so loopback receivers are allowed on this worker too.
    expect(second.output()).toMatch(/"allowPrivateDestinations":true[^\n]*"msg":"worker started"/);

    const delivered = new Set<string>();
    receiver = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        setTimeout(() => {
          delivered.add(String(request.headers["webhook-id"]));
          response.writeHead(204).end();
        }, RECEIVER_DELAY_MS);
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
    const receiverPort = (receiver.address() as { port: number }).port;

    const apiKey = /API key \(all scopes\): (wvk_\S+)/.exec(start.output())?.[1];
    expect(apiKey, start.output()).toBeTruthy();
    const api = (method: string, route: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}${route}`, {
        method,
        headers: { Authorization: `ApiKey ${apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = await api("POST", "/v1/webhooks", { url: `http://127.0.0.1:${receiverPort}/hook`, events: ["finding.created"] });
    expect(created.status, await created.clone().text()).toBe(201);
    // Distinct subjects, so per-subject ordering does not make the events wait for each other.
    for (let index = 0; index < EVENTS; index++) {
      const data = { finding_id: `fnd_second_worker_${index}`, title: "Exposed admin console", severity: "low" };
      const published = await api("POST", "/v1/events", { type: "finding.created", subject: data.finding_id, data });
      expect(published.status, await published.clone().text()).toBe(202);
    }

    await waitFor(`the receiver to get ${EVENTS} deliveries`, 120_000, () => delivered.size >= EVENTS);
    await waitFor("both workers to record their attempts", 30_000, () => {
      return recordedAttempts(start.output(), "worker") + recordedAttempts(second.output(), "second-worker") >= EVENTS;
    });
    const byFirst = recordedAttempts(start.output(), "worker");
    const bySecond = recordedAttempts(second.output(), "second-worker");
    expect(byFirst, `npm start's worker recorded ${byFirst}, the second worker ${bySecond}`).toBeGreaterThan(0);
    expect(bySecond, `npm start's worker recorded ${byFirst}, the second worker ${bySecond}`).toBeGreaterThan(0);

    // Neither the database password nor the keyring appears in the second worker's output.
    expect(second.output()).not.toContain(databasePassword);
    expect(second.output()).not.toContain(settings.environment.WVK_ENCRYPTION_KEYS!.split(":")[1]!);

    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('"msg":"worker stopped"');

    start.child.kill("SIGINT");
    expect(await start.exited).toBe(0);
    await waitFor("every process of the run to exit", 60_000, () => markedProcesses(marker).length === 0);
    expect(existsSync(settingsFile)).toBe(false);

    // With npm start stopped, a worker without DATABASE_URL has nothing to join and fails with a message naming the variable.
    const alone = runMarked(["worker/main.ts"], environment);
    expect(await alone.exited).toBe(1);
    expect(alone.output()).toContain("DATABASE_URL is missing");
  });
});
