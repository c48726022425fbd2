import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { collectJsonLines } from "./json-lines";

/**
 * Runs the published verification examples (docs/examples) exactly as a
 * reader would: the servers as separate processes on loopback, the shell
 * script with its arguments. Nothing is imported from them, so the tests
 * exercise the files as written.
 */
const projectDirectory = path.resolve(import.meta.dirname, "..", "..");
const examplesDirectory = path.join(projectDirectory, "docs", "examples");

export type ServerExample = "node" | "python" | "standardwebhooks";

const COMMANDS: Record<ServerExample, { command: string; args: string[] }> = {
  node: { command: path.join(projectDirectory, "node_modules", ".bin", "tsx"), args: [path.join(examplesDirectory, "verify.ts")] },
  python: { command: "python3", args: [path.join(examplesDirectory, "verify.py")] },
  standardwebhooks: { command: path.join(projectDirectory, "node_modules", ".bin", "tsx"), args: [path.join(examplesDirectory, "verify-standardwebhooks.ts")] },
};

export interface RunningExample {
  url: string;
  // JSON lines printed for verified deliveries.
  verified: Array<{ delivery: string; event: string; type: string }>;
  alive(): boolean;
  stop(): Promise<void>;
}

/** Starts one example receiver on a free loopback port with the given secrets. */
export async function startExample(example: ServerExample, secrets: string[]): Promise<RunningExample> {
  const { command, args } = COMMANDS[example];
  const child: ChildProcess = spawn(command, args, {
    cwd: examplesDirectory,
    env: { ...process.env, WEBHOOK_SECRETS: secrets.join(" "), PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const verified: RunningExample["verified"] = [];
  collectJsonLines(child.stdout!, verified);
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${example} example did not start within 20 s:\n${stderr}`)), 20_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(`${match[1]}/hook`);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${example} example exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    verified,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Sends a raw HTTP request, so headers can repeat or carry bytes fetch would refuse; returns the status code. */
export function sendRaw(url: string, headers: Array<[string, string]>, body: Buffer): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    let answer = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer within 10 s")));
    socket.on("connect", () => {
      const lines = [`POST ${target.pathname} HTTP/1.1`, `Host: ${target.host}`, "Connection: close", `Content-Length: ${body.length}`, "Content-Type: application/json"];
      for (const [name, value] of headers) lines.push(`${name}: ${value}`);
      socket.write(Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"), body]));
    });
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`No HTTP status in the answer: ${JSON.stringify(answer.slice(0, 200))}`));
    });
  });
}

/** Runs docs/examples/verify.sh; returns what it printed and its exit code. */
export async function runShellExample(
  secrets: string[],
  deliveryId: string,
  signatureHeader: string,
  body: Buffer,
  nowSeconds?: number,
): Promise<{ output: string; code: number | null }> {
  const directory = mkdtempSync(path.join(tmpdir(), "wvk-verify-"));
  const bodyFile = path.join(directory, "body.json");
  writeFileSync(bodyFile, body);
  try {
    const child = spawn("bash", [path.join(examplesDirectory, "verify.sh"), deliveryId, signatureHeader, bodyFile], {
      env: { ...process.env, WEBHOOK_SECRETS: secrets.join(" "), ...(nowSeconds === undefined ? {} : { VERIFY_NOW: String(nowSeconds) }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { output: output.trim(), code };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Runs a Python expression with docs/examples/verify.py importable as `verify`; returns its printed result. */
export async function runPython(expression: string): Promise<string> {
  const child = spawn("python3", ["-c", `import verify\nprint(${expression})`], {
    cwd: examplesDirectory,
    // No __pycache__ folder in docs/examples.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  await new Promise((resolve) => child.on("exit", resolve));
  return output.trim();
}
