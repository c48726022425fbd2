import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres } from "./lib/embedded-postgres";
import { MIGRATIONS_DIRECTORY } from "./lib/migrations";

/**
 * `npm run db:new-migration -- <name>`: writes the SQL that takes the schema of
 * the latest migration to prisma/schema.prisma. Each migration folder keeps a
 * copy of the schema it produces, which is what the next diff starts from, so
 * no shadow database is needed. Prisma's JavaScript schema engine still wants
 * a reachable server, so one is started if DATABASE_URL is not set.
 */
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write("Usage: npm run db:new-migration -- <name in lower_snake_case>\n");
  process.exit(2);
}

const projectDirectory = path.resolve(import.meta.dirname, "..");
const schema = path.join(projectDirectory, "prisma", "schema.prisma");
const latest = readdirSync(MIGRATIONS_DIRECTORY).filter((entry) => /^\d{14}_/.test(entry)).sort().at(-1);
const from = latest ? ["--from-schema-datamodel", path.join(MIGRATIONS_DIRECTORY, latest, "schema.prisma")] : ["--from-empty"];

let databaseUrl = process.env.DATABASE_URL;
let stop: (() => Promise<void>) | undefined;
if (!databaseUrl) {
  const embedded = await startEmbeddedPostgres({ dataDirectory: path.join(projectDirectory, ".data", "test-postgres"), port: 0 });
  databaseUrl = embedded.url;
  stop = () => embedded.stop();
}
try {
  const result = spawnSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], {
    cwd: projectDirectory,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`prisma migrate diff failed: ${result.stderr}`);
  if (!/\b(CREATE|ALTER|DROP)\b/.test(result.stdout)) {
    process.stdout.write("prisma/schema.prisma matches the latest migration: nothing to write\n");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const folder = path.join(MIGRATIONS_DIRECTORY, `${stamp}_${name}`);
    mkdirSync(folder);
    writeFileSync(path.join(folder, "migration.sql"), result.stdout);
    copyFileSync(schema, path.join(folder, "schema.prisma"));
    process.stdout.write(`wrote ${path.relative(projectDirectory, folder)}/migration.sql: review it, then commit the folder\n`);
  }
} finally {
  await stop?.();
}
