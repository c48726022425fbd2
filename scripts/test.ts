import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "./lib/embedded-postgres";

/**
 * `npm test`: every test, in order of speed — type check, unit, integration
 * (real PostgreSQL, real loopback receivers) and browser tests (Playwright
 * driving Debian's Chromium against a production build). With DATABASE_URL set
 * the tests create their own databases on that server (the role needs
 * CREATEDB); otherwise one embedded PostgreSQL serves the whole run.
 * `--only unit,integration` runs a subset.
 */
const projectDirectory = path.resolve(import.meta.dirname, "..");
const steps = ["typecheck", "unit", "integration", "e2e"] as const;
type Step = (typeof steps)[number];

const { values } = parseArgs({ options: { only: { type: "string" } } });
const selected = new Set<Step>(
  values.only ? (values.only.split(",").map((step) => step.trim()) as Step[]) : [...steps],
);
for (const step of selected) {
  if (!steps.includes(step)) {
    process.stderr.write(`Unknown step "${step}": choose from ${steps.join(", ")}\n`);
    process.exit(2);
  }
}

function run(step: Step, command: string, args: string[], env: NodeJS.ProcessEnv): void {
  process.stdout.write(`\n[test] ${step}: ${command} ${args.join(" ")}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: projectDirectory, env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${step} failed (exit ${result.status ?? result.signal})`);
  process.stdout.write(`[test] ${step} passed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function hasBrowserTests(): boolean {
  const directory = path.join(projectDirectory, "e2e");
  return existsSync(directory) && readdirSync(directory).some((name) => name.endsWith(".spec.ts"));
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  const needsDatabase = selected.has("integration") || selected.has("e2e");
  let stopDatabase: (() => Promise<void>) | undefined;
  if (needsDatabase && !env.DATABASE_URL && !env.WVK_TEST_SERVER_URL) {
    const embedded = await startEmbeddedPostgres({ dataDirectory: path.join(projectDirectory, ".data", "test-postgres"), port: 0 });
    env.WVK_TEST_SERVER_URL = embedded.url;
    stopDatabase = () => embedded.stop();
    process.stdout.write(`[test] embedded PostgreSQL for tests: ${embedded.dataDirectory}\n`);
  }
  try {
    if (selected.has("typecheck")) run("typecheck", "npx", ["tsc", "--noEmit"], env);
    if (selected.has("unit")) run("unit", "npx", ["vitest", "run", "--project", "unit"], env);
    if (selected.has("integration")) run("integration", "npx", ["vitest", "run", "--project", "integration"], env);
    if (selected.has("e2e")) {
      if (hasBrowserTests()) run("e2e", "npx", ["playwright", "test"], env);
      else process.stdout.write("\n[test] e2e: no browser tests in e2e/\n");
    }
  } finally {
    await stopDatabase?.();
  }
  process.stdout.write("\n[test] all selected steps passed\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`\n[test] ${(error as Error).message}\n`);
  process.exit(1);
});
