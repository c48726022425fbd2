import { describe, expect, it } from "vitest";
import { type CpuProfile, profileArea, summariseProfile } from "./cpu-profile";

const PROJECT = "/work/project";

function frame(id: number, functionName: string, url: string, lineNumber = 0) {
  return { id, callFrame: { functionName, url, lineNumber } };
}

describe("profileArea", () => {
  it("names packages, scoped packages, internals and project files", () => {
    expect(profileArea("file:///work/project/node_modules/undici/lib/core.js", "f", PROJECT)).toBe("undici");
    expect(profileArea("file:///work/project/node_modules/@prisma/client/x.js", "f", PROJECT)).toBe("@prisma/client");
    expect(profileArea("node:internal/streams/readable", "f", PROJECT)).toBe("node internals");
    expect(profileArea("file:///work/project/lib/signing.ts", "f", PROJECT)).toBe("lib/signing.ts");
  });

  it("keeps V8's own buckets and marks other native frames", () => {
    expect(profileArea("", "(garbage collector)", PROJECT)).toBe("(garbage collector)");
    expect(profileArea("", "writev", PROJECT)).toBe("(native)");
  });
});

describe("summariseProfile", () => {
  const profile: CpuProfile = {
    nodes: [
      frame(1, "(root)", ""),
      frame(2, "(idle)", ""),
      frame(3, "sign", "file:///work/project/lib/signing.ts", 9),
      frame(4, "request", "file:///work/project/node_modules/undici/index.js", 99),
    ],
    samples: [2, 3, 4, 3, 2],
    timeDeltas: [5000, 1000, 2000, 1000, 5000],
  };

  it("sums self time without idle", () => {
    const summary = summariseProfile(profile, PROJECT);
    expect(summary.idleMs).toBe(10);
    expect(summary.busyMs).toBe(4);
    expect(summary.functions).toEqual([
      { name: "sign lib/signing.ts:10", selfMs: 2, share: 0.5 },
      { name: "request undici:100", selfMs: 2, share: 0.5 },
    ]);
    expect(summary.areas.map((area) => area.name)).toEqual(["lib/signing.ts", "undici"]);
  });

  it("returns the largest entries up to the limit", () => {
    expect(summariseProfile(profile, PROJECT, 1).functions).toHaveLength(1);
  });
});
