import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDataDirectory, loadLocalSettings } from "./local-settings";

describe("createDataDirectory", () => {
  let parent: string;

  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), "data-directory-"));
  });

  afterEach(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it("lets other users pass through, not list", () => {
    const directory = path.join(parent, ".data");
    const umask = process.umask(0o077);
    try {
      createDataDirectory(directory);
    } finally {
      process.umask(umask);
    }
    expect(statSync(directory).mode & 0o777).toBe(0o711);
  });

  it("keeps the mode of an existing folder", () => {
    const directory = path.join(parent, ".data");
    mkdirSync(directory, { mode: 0o700 });
    createDataDirectory(directory);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
  });

  it("keeps local secrets private", () => {
    const directory = path.join(parent, ".data");
    createDataDirectory(directory);
    loadLocalSettings(directory);
    expect(statSync(path.join(directory, "local-secrets.json")).mode & 0o777).toBe(0o600);
  });
});
