import { PrismaPg } from "@prisma/adapter-pg";
import { createHash } from "node:crypto";
import pg from "pg";
import { databaseUrl } from "./config";
import { PrismaClient } from "./generated/prisma/client";
import { logger } from "./log";

/**
 * The database handles of a process: one pg pool, shared by Prisma (for
 * ordinary reads and writes) and by the hand-written SQL of the hot paths
 * (fan-out, attempt recording), so both see the same connections and limits.
 */
interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
}

// Next.js reloads modules in development; keeping the handles on globalThis avoids a new pool per reload.
const holder = globalThis as typeof globalThis & { __wvkDatabase?: Database };

function open(): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    application_name: process.env.WVK_SERVICE ?? "wasviking-webhooks",
  });
  // An idle client that loses its connection (a database restart) emits here; the pool replaces it on next use.
  pool.on("error", (error) => logger.warn({ err: error }, "idle database connection failed"));
  // A checked-out client has no listener of the pool's, and a connection lost between two of its queries (inside a
  // transaction, say) would otherwise be an uncaught 'error' that ends the process. The next query on it fails with
  // the same error, which its caller handles, and the pool discards the broken client on release.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

function database(): Database {
  holder.__wvkDatabase ??= open();
  return holder.__wvkDatabase;
}

/** Returns the shared Prisma client. */
export function prisma(): PrismaClient {
  return database().prisma;
}

/** Returns the shared pg pool. */
export function pool(): pg.Pool {
  return database().pool;
}

/**
 * SQL with its values, its parameters numbered from a position the caller
 * chose, so that a hot path can fold several writes into one statement (one
 * round trip) as common table expressions.
 */
export interface StatementPart {
  sql: string;
  values: unknown[];
  // False when the SQL would change nothing, so a caller running it alone may skip it.
  writes: boolean;
}

/** Returns `$n` for the parameter `offset` places after `first`. */
export function parameter(first: number, offset: number): string {
  return `$${first + offset}`;
}

const statementNames = new Map<string, string>();

/**
 * Returns the statement as a named prepared statement, so each connection
 * parses it once and PostgreSQL may keep a generic plan instead of planning it
 * at every batch. Use it only for SQL whose text is one of a few fixed variants,
 * with every value in a parameter, or each batch would prepare another
 * statement on the server.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `wvk_${createHash("sha256").update(text).digest("base64url").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

// Deadlock and serialization failure: the whole transaction can simply run again.
const RETRYABLE_SQL_STATES = new Set(["40P01", "40001"]);
const MAX_TRANSACTION_TRIES = 5;

export interface TransactionOptions {
  // False lets COMMIT return before its WAL record is flushed to disk. A crash of the database server can then
  // lose the transaction, though never part of it, and never without every transaction that committed after it.
  synchronousCommit?: boolean;
}

/**
 * Runs `work` in one transaction on one pooled connection, rolling back if it
 * throws. After a deadlock or serialization failure the transaction runs again,
 * so `work` must have no effects outside the database.
 */
export async function withTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool().connect();
    try {
      // One round trip either way: a query without parameters may hold several statements.
      await client.query(options.synchronousCommit === false ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      const code = (error as { code?: string }).code;
      if (attempt < MAX_TRANSACTION_TRIES && code !== undefined && RETRYABLE_SQL_STATES.has(code)) {
        logger.warn({ err: error, attempt }, "transaction conflicted with another one, running it again");
        continue;
      }
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Closes the pool and the Prisma client of this process. */
export async function closeDatabase(): Promise<void> {
  const current = holder.__wvkDatabase;
  holder.__wvkDatabase = undefined;
  if (!current) return;
  await current.prisma.$disconnect();
  await current.pool.end();
}
