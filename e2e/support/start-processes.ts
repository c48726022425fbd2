import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { endianness } from "node:os";
import path from "node:path";

/**
 * Helpers of the tests that run `npm start` (scripts/start.ts) as a user does.
 * Each process of such a run inherits a marker variable, which /proc shows, so
 * a test finds them all without knowing their ids in advance. Linux only, like
 * the embedded PostgreSQL.
 */
export const MARKER_VARIABLE = "WVK_START_TEST_MARKER";

const projectDirectory = path.resolve(import.meta.dirname, "../..");

export interface RunningCommand {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point of the project with tsx, collecting its standard output and error together. */
export function runMarked(args: string[], environment: NodeJS.ProcessEnv): RunningCommand {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: projectDirectory, env: environment, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export interface MarkedProcess {
  pid: number;
  command: string;
}

/** Lists the running processes whose environment carries `marker`. */
export function markedProcesses(marker: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environment = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (!environment.includes(`${MARKER_VARIABLE}=${marker}`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // A zombie has exited already and only waits for its parent to read its status.
      if (stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z") continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim() });
    } catch {
      // The process exited while it was read, or belongs to a user whose environment this test cannot read.
    }
  }
  return found;
}

/** Waits until `condition` returns a truthy value, checking every 250 ms, and fails with `description` after `timeoutMs`. */
export async function waitFor<T>(description: string, timeoutMs: number, condition: () => T | Promise<T>): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Sends SIGKILL to every process that carries `marker`, so a failed run leaves none behind. */
export function killMarkedProcesses(marker: string): void {
  for (const leftover of markedProcesses(marker)) {
    try {
      process.kill(leftover.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

// The state column of /proc/net/tcp for a listening socket (TCP_LISTEN).
const LISTEN_STATE = "0A";

/** Decodes an address of /proc/net/tcp or tcp6: 32-bit words in hex, each in the machine's byte order. */
function decodeProcAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = Buffer.from(hex.slice(word, word + 8), "hex");
    bytes.push(...(endianness() === "LE" ? wordBytes.reverse() : wordBytes));
  }
  if (bytes.length === 4) return bytes.join(".");
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push(((bytes[index]! << 8) | bytes[index + 1]!).toString(16));
  // The URL parser writes an IPv6 address in its shortest form, such as ::1.
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

/**
 * Lists the local addresses of every TCP socket of this machine's network
 * namespace that listens on `port`, whichever process owns it: "127.0.0.1",
 * "0.0.0.0", "::" and so on. Linux only.
 */
export function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let lines: string[];
    try {
      lines = readFileSync(table, "utf8").split("\n").slice(1);
    } catch {
      // No IPv6 on this machine.
      continue;
    }
    for (const line of lines) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 4 || columns[3] !== LISTEN_STATE) continue;
      const [addressHex, portHex] = columns[1]!.split(":") as [string, string];
      if (parseInt(portHex, 16) === port) addresses.push(decodeProcAddress(addressHex));
    }
  }
  return addresses;
}
