import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../scripts/lib/embedded-postgres";

/**
 * The PostgreSQL server tests run on: DATABASE_URL when set (any database on
 * it; tests create their own databases beside it), else WVK_TEST_SERVER_URL
 * from scripts/test.ts, else an embedded server kept in .data/test-postgres.
 */
export async function testServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.WVK_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  if (given) return { url: given, stop: async () => undefined };
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
    dataDirectory: path.join(import.meta.dirname, "..", "..", ".data", "test-postgres"),
    port: 0,
  });
  return { url: embedded.url, stop: () => embedded.stop() };
}
