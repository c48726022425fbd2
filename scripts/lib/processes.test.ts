import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isProcessAlive, stopProcessGroup } from "./processes";

/** Starts a Node.js process that leads a process group of its own and runs `code`. Resolves once it printed "ready". */
async function startGroupLeader(code: string) {
  const child = spawn(process.execPath, ["-e", code], { detached: true, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  while (!output.includes("ready")) await once(child.stdout!, "data");
  return { child, output: () => output };
}

/** Waits until `condition` returns true, checking every 20 ms, for at most 10 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Timed out after 10 s waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("isProcessAlive", () => {
  it("tells a running process from one that exited", async () => {
    const { child } = await startGroupLeader("console.log('ready'); setInterval(() => {}, 1000)");
    expect(isProcessAlive(child.pid!)).toBe(true);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(isProcessAlive(child.pid!)).toBe(false);
  });

  it.runIf(process.platform === "linux")("reports a zombie as gone", async () => {
    // The shell starts a child that waits for a file, then becomes `sleep`, which never reaps it.
    const directory = mkdtempSync(path.join(tmpdir(), "zombie-"));
    const file = path.join(directory, "exit-now");
    const parent = spawn("sh", ["-c", 'while [ ! -e "$1" ]; do sleep 0.05; done & echo $!; exec sleep 30', "sh", file], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const [line] = (await once(parent.stdout!, "data")) as [Buffer];
      const child = Number(line.toString().trim());
      await waitUntil(() => readFileSync(`/proc/${parent.pid}/cmdline`, "utf8").startsWith("sleep"));
      expect(isProcessAlive(child)).toBe(true);

      writeFileSync(file, "");
      await waitUntil(() => !isProcessAlive(child));
      // The id still exists: only a zombie is left, which its parent never reaps.
      expect(() => process.kill(child, 0)).not.toThrow();
    } finally {
      parent.kill("SIGKILL");
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("reports this process as running", () => {
    expect(isProcessAlive(process.pid)).toBe(true);
  });
});

describe("stopProcessGroup", () => {
  it("stops a group with SIGTERM", async () => {
    const { child, output } = await startGroupLeader(
      "process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000)",
    );
    const exited = once(child, "exit");
    await stopProcessGroup(child.pid!, 10_000);
    const [code, signal] = await exited;
    expect(code).toBe(0);
    expect(signal).toBeNull();
    expect(output()).toContain("stopping");
  });

  it("kills a group that ignores SIGTERM after the grace period", async () => {
    const { child } = await startGroupLeader("process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)");
    const exited = once(child, "exit");
    await stopProcessGroup(child.pid!, 200);
    const [, signal] = await exited;
    expect(signal).toBe("SIGKILL");
  });

  it("returns at once for a group that is gone", async () => {
    const { child } = await startGroupLeader("console.log('ready'); setInterval(() => {}, 1000)");
    child.kill("SIGKILL");
    await once(child, "exit");
    await expect(stopProcessGroup(child.pid!, 10_000)).resolves.toBeUndefined();
  });
});
