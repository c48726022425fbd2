import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// The CLI runs here only to generate the client and to diff schemas
// (scripts/new-migration.ts); both work offline with the JavaScript schema
// engine, which never downloads a native binary. Migrations are applied by
// scripts/migrate.ts, so this adapter is created only if someone runs a CLI
// command that needs a database.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost/wasviking" }),
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
});
