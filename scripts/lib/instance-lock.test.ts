import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockDataDirectory, releaseDataDirectoryLock } from "./instance-lock";

describe("lockDataDirectory", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "instance-lock-"));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("writes the owner's process id and removes it on release", () => {
    const release = lockDataDirectory(directory);
    expect(readFileSync(path.join(directory, "start.pid"), "utf8").trim()).toBe(String(process.pid));
    release();
    expect(existsSync(path.join(directory, "start.pid"))).toBe(false);
  });

  it("rejects a second start while the first runs", () => {
    const release = lockDataDirectory(directory);
    // The parent of this test process plays a second start while the first is still running.
    expect(() => lockDataDirectory(directory, process.ppid)).toThrow(`Another npm start (process ${process.pid}) is already running`);
    release();
  });

  it("takes over the lock of a start that was killed", () => {
    const finished = spawnSync(process.execPath, ["-e", "process.exit(0)"]);
    writeFileSync(path.join(directory, "start.pid"), `${finished.pid}\n`);
    const release = lockDataDirectory(directory);
    expect(readFileSync(path.join(directory, "start.pid"), "utf8").trim()).toBe(String(process.pid));
    release();
  });

  it("leaves a lock taken over by another process in place", () => {
    const release = lockDataDirectory(directory);
    writeFileSync(path.join(directory, "start.pid"), `${process.ppid}\n`);
    release();
    expect(readFileSync(path.join(directory, "start.pid"), "utf8").trim()).toBe(String(process.ppid));
  });

  it("releases the lock of a killed start for it", () => {
    const finished = spawnSync(process.execPath, ["-e", "process.exit(0)"]);
    writeFileSync(path.join(directory, "start.pid"), `${finished.pid}\n`);
    releaseDataDirectoryLock(directory, finished.pid!);
    expect(existsSync(path.join(directory, "start.pid"))).toBe(false);
  });

  it("keeps a lock that names another process", () => {
    writeFileSync(path.join(directory, "start.pid"), `${process.ppid}\n`);
    releaseDataDirectoryLock(directory, process.pid);
    expect(readFileSync(path.join(directory, "start.pid"), "utf8").trim()).toBe(String(process.ppid));
  });
});
