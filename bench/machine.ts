import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_DIRECTORY } from "./processes";

/** The machine a benchmark ran on, read at run time so every report names its hardware and versions. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  pgBoss: string;
  kernel: string;
  // 1, 5 and 15 minute load averages when the benchmark started: other work on a shared machine shows here.
  loadAverage: number[];
}

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_DIRECTORY, "node_modules", name, "package.json"), "utf8")) as { version: string };
    return manifest.version;
  } catch {
    return "unknown";
  }
}

/** Reads the machine's cores, memory, kernel, Node.js and pg-boss versions and current load. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    pgBoss: packageVersion("pg-boss"),
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg(),
  };
}
