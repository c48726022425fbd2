import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { attachToEmbeddedDatabase, readWorkerSettings, removeWorkerSettings, WORKER_SETTINGS_FILE, writeWorkerSettings } from "./worker-settings";

const EMBEDDED_URL = "postgresql://postgres:s3cret@127.0.0.1:54329/wasviking";
const SETTINGS = {
  pid: 4242,
  environment: { DATABASE_URL: EMBEDDED_URL, WVK_ALLOW_PRIVATE_DESTINATIONS: "1", WVK_ENCRYPTION_KEYS: "k1:AAAA" },
};
const running = () => true;

describe("worker settings file", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "worker-settings-"));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("round-trips what npm start writes", () => {
    writeWorkerSettings(directory, SETTINGS);
    expect(readWorkerSettings(directory)).toEqual(SETTINGS);
  });

  it("is readable by its owner only", () => {
    writeWorkerSettings(directory, SETTINGS);
    expect(statSync(path.join(directory, WORKER_SETTINGS_FILE)).mode & 0o777).toBe(0o600);
  });

  it("replaces a readable file with a private one", () => {
    writeFileSync(path.join(directory, WORKER_SETTINGS_FILE), "{}", { mode: 0o644 });
    writeFileSync(path.join(directory, `${WORKER_SETTINGS_FILE}.${process.pid}.tmp`), "left by a killed start", { mode: 0o644 });
    writeWorkerSettings(directory, SETTINGS);
    expect(statSync(path.join(directory, WORKER_SETTINGS_FILE)).mode & 0o777).toBe(0o600);
    expect(readWorkerSettings(directory)).toEqual(SETTINGS);
  });

  it("reads null when missing", () => {
    expect(readWorkerSettings(directory)).toBeNull();
  });

  it.each([
    ["not JSON", "postgresql://"],
    ["no pid", JSON.stringify({ environment: {} })],
    ["a pid of zero", JSON.stringify({ pid: 0, environment: {} })],
    ["a value that is not a string", JSON.stringify({ pid: 1, environment: { PORT: 3000 } })],
  ])("rejects a file with %s", (_case, text) => {
    writeFileSync(path.join(directory, WORKER_SETTINGS_FILE), text);
    expect(() => readWorkerSettings(directory)).toThrow(/^Invalid .*worker-settings\.json: expected the settings that npm start writes/);
  });

  it("is removed by the start that wrote it only", () => {
    writeWorkerSettings(directory, SETTINGS);
    removeWorkerSettings(directory, 1);
    expect(existsSync(path.join(directory, WORKER_SETTINGS_FILE))).toBe(true);
    removeWorkerSettings(directory, SETTINGS.pid);
    expect(existsSync(path.join(directory, WORKER_SETTINGS_FILE))).toBe(false);
  });
});

describe("attachToEmbeddedDatabase", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "worker-settings-"));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("fills in every unset variable", () => {
    writeWorkerSettings(directory, SETTINGS);
    const environment: Record<string, string | undefined> = { LOG_LEVEL: "debug", WVK_ENCRYPTION_KEYS: " " };
    const attached = attachToEmbeddedDatabase(environment, directory, running);
    expect(environment).toEqual({ LOG_LEVEL: "debug", ...SETTINGS.environment });
    expect(attached).toEqual({
      file: path.join(directory, WORKER_SETTINGS_FILE),
      npmStartPid: SETTINGS.pid,
      applied: ["DATABASE_URL", "WVK_ALLOW_PRIVATE_DESTINATIONS", "WVK_ENCRYPTION_KEYS"],
      differing: [],
    });
  });

  it("keeps the worker's own values", () => {
    writeWorkerSettings(directory, SETTINGS);
    const environment: Record<string, string | undefined> = { WVK_ALLOW_PRIVATE_DESTINATIONS: "0", WVK_ENCRYPTION_KEYS: "k1:AAAA" };
    const attached = attachToEmbeddedDatabase(environment, directory, running);
    expect(environment.WVK_ALLOW_PRIVATE_DESTINATIONS).toBe("0");
    expect(environment.DATABASE_URL).toBe(EMBEDDED_URL);
    expect(attached?.applied).toEqual(["DATABASE_URL"]);
    expect(attached?.differing).toEqual(["WVK_ALLOW_PRIVATE_DESTINATIONS"]);
  });

  it("ignores the file when DATABASE_URL is set", () => {
    writeWorkerSettings(directory, SETTINGS);
    const environment: Record<string, string | undefined> = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres" };
    expect(attachToEmbeddedDatabase(environment, directory, running)).toBeNull();
    expect(environment).toEqual({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres" });
  });

  it("does nothing without the file", () => {
    const environment: Record<string, string | undefined> = {};
    expect(attachToEmbeddedDatabase(environment, directory, running)).toBeNull();
    expect(environment).toEqual({});
  });

  it("rejects the file of a stopped start", () => {
    writeWorkerSettings(directory, SETTINGS);
    const environment: Record<string, string | undefined> = {};
    expect(() => attachToEmbeddedDatabase(environment, directory, () => false)).toThrow(
      /^DATABASE_URL is missing, and .*worker-settings\.json was written by npm start \(process 4242\), which no longer runs\. Start npm start again, or set DATABASE_URL$/,
    );
    expect(environment).toEqual({});
  });

  it("checks the real process table by default", () => {
    // This test's own process runs, and process id 2^22 + 1 is above Linux's highest.
    writeWorkerSettings(directory, { ...SETTINGS, pid: process.pid });
    expect(attachToEmbeddedDatabase({}, directory)?.npmStartPid).toBe(process.pid);
    writeWorkerSettings(directory, { ...SETTINGS, pid: 2 ** 22 + 1 });
    expect(() => attachToEmbeddedDatabase({}, directory)).toThrow(/which no longer runs/);
  });
});
