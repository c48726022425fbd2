import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const projectDirectory = path.resolve(import.meta.dirname, "..", "..");
// docs/examples is shown verbatim on /docs/events, so a change there needs a new build too.
const SOURCES = ["app", "components", "lib", "public", "proxy.ts", "instrumentation.ts", "docs/examples", "next.config.js", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];

function newestChange(): number {
  let newest = 0;
  const visit = (target: string) => {
    if (!existsSync(target)) return;
    const stats = statSync(target);
    if (stats.isDirectory()) {
      for (const name of readdirSync(target)) if (name !== "generated" && name !== "node_modules") visit(path.join(target, name));
    } else if (!/\.test\.tsx?$/.test(target)) {
      newest = Math.max(newest, stats.mtimeMs);
    }
  };
  SOURCES.forEach((entry) => visit(path.join(projectDirectory, entry)));
  return newest;
}

/** Builds the portal with `next build` when there is no build yet or a source file is newer than it. */
export function buildIfNeeded(env: NodeJS.ProcessEnv, log: (message: string) => void): void {
  const buildId = path.join(projectDirectory, ".next", "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestChange()) return;
  log("building the portal (next build); this takes a minute on first start");
  const result = spawnSync("npx", ["next", "build"], { cwd: projectDirectory, env: { ...env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: "inherit" });
  if (result.status !== 0) throw new Error("next build failed; see the output above");
}
