/**
 * Summarises a V8 CPU profile (the .cpuprofile JSON that `node --cpu-prof`
 * writes) into self time per function and per area: a package under
 * node_modules, Node.js internals, a file of this project, or V8's own
 * buckets such as (garbage collector) and (idle).
 */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  // Microseconds since the previous sample, one per sample.
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  // Fraction of the busy time (idle excluded), 0 to 1.
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: ProfileEntry[];
  areas: ProfileEntry[];
}

/** Names the area a script URL belongs to; `projectDirectory` is stripped from this project's own files. */
export function profileArea(url: string, functionName: string, projectDirectory: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const path = url.replace(/^file:\/\//, "");
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (packageMatch) return packageMatch[1]!;
  const prefix = projectDirectory.endsWith("/") ? projectDirectory : `${projectDirectory}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function topEntries(totals: Map<string, number>, busyMs: number, limit: number): ProfileEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs === 0 ? 0 : selfMs / busyMs }));
}

/** Adds up self time per function and per area and returns the `limit` largest of each. */
export function summariseProfile(profile: CpuProfile, projectDirectory: string, limit = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((nodeId, index) => {
    const node = nodes.get(nodeId);
    const milliseconds = (profile.timeDeltas[index] ?? 0) / 1000;
    if (!node || milliseconds <= 0) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleMs += milliseconds;
      return;
    }
    busyMs += milliseconds;
    const area = profileArea(url, functionName, projectDirectory);
    const name = `${functionName || "(anonymous)"} ${url === "" ? "" : `${area}:${lineNumber + 1}`}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + milliseconds);
    byArea.set(area, (byArea.get(area) ?? 0) + milliseconds);
  });
  return { busyMs, idleMs, functions: topEntries(byFunction, busyMs, limit), areas: topEntries(byArea, busyMs, limit) };
}
