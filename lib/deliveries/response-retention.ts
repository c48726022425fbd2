import type pg from "pg";
import { pool } from "../db";
import { idLowerBound } from "../ids";
import { logger } from "../log";

/**
 * How long the inspector keeps receivers' responses. Response bodies and
 * headers can contain internal error text or credentials a receiver echoed,
 * so they are kept for 30 days after the attempt and then deleted. The
 * status, duration and error class of every attempt stay. Reads never return
 * an expired response, even before the purge has deleted it.
 */
export const RESPONSE_RETENTION_DAYS = 30;
const RESPONSE_RETENTION_MS = RESPONSE_RETENTION_DAYS * 24 * 60 * 60 * 1000;

/** Returns when a response received at `startedAt` stops being shown and is deleted. */
export function responseExpiresAt(startedAt: Date): Date {
  return new Date(startedAt.getTime() + RESPONSE_RETENTION_MS);
}

/** Tells whether the response of an attempt started at `startedAt` is past its retention at `now`. */
export function isResponseExpired(startedAt: Date, now: Date): boolean {
  return responseExpiresAt(startedAt).getTime() <= now.getTime();
}

// Rows changed per statement, so the purge never holds many row locks or writes a long transaction.
const PURGE_BATCH_SIZE = 1000;

/**
 * Deletes the response bodies and headers of attempts started before the
 * retention cut-off. Attempt ids begin with their start time, so the cut-off
 * is an id range. The purge walks the primary key in batches, starting after
 * `afterId` (or at the oldest attempt when it is null), and writes only rows
 * that still contain a response. Returns the number of attempts cleared and
 * the id to pass as `afterId` next time.
 */
export async function purgeExpiredResponses(now: Date, afterId: string | null = null): Promise<{ cleared: number; lastId: string | null }> {
  const cutOff = idLowerBound("attempt", new Date(now.getTime() - RESPONSE_RETENTION_MS));
  let cleared = 0;
  let lastId = afterId;
  for (;;) {
    const result = await pool().query<{ last_id: string | null; cleared: number }>(
      `WITH batch AS (
         SELECT id FROM attempts WHERE id < $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3
       ), purged AS (
         UPDATE attempts a SET response_body = NULL, response_headers = NULL
         FROM batch WHERE a.id = batch.id AND (a.response_body IS NOT NULL OR a.response_headers IS NOT NULL)
         RETURNING a.id
       )
       SELECT (SELECT max(id) FROM batch) AS last_id, (SELECT count(*) FROM purged)::int AS cleared`,
      [cutOff, lastId, PURGE_BATCH_SIZE],
    );
    const row = result.rows[0]!;
    cleared += row.cleared;
    if (row.last_id === null) break;
    lastId = row.last_id;
  }
  return { cleared, lastId };
}

// Only one process purges at a time; the others skip their turn.
const PURGE_LOCK_KEY = 7_406_213_178;
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Runs the purge once now and then every hour in this process, under an
 * advisory lock so concurrent processes do not repeat each other's work.
 * Returns a function that stops it.
 */
export function schedulePurgeOfExpiredResponses(clock: () => Date = () => new Date()): () => void {
  let afterId: string | null = null;
  let running = false;

  const run = async () => {
    if (running) return;
    running = true;
    let client: pg.PoolClient | null = null;
    try {
      client = await pool().connect();
      const locked = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1) AS locked`, [PURGE_LOCK_KEY]);
      if (!locked.rows[0]?.locked) return;
      try {
        const result = await purgeExpiredResponses(clock(), afterId);
        afterId = result.lastId;
        if (result.cleared > 0) logger.info({ cleared: result.cleared, retentionDays: RESPONSE_RETENTION_DAYS }, "deleted expired response bodies");
      } finally {
        await client.query(`SELECT pg_advisory_unlock($1)`, [PURGE_LOCK_KEY]);
      }
    } catch (error) {
      logger.warn({ err: error }, "response purge failed; it runs again within the hour");
    } finally {
      client?.release();
      running = false;
    }
  };

  void run();
  const timer = setInterval(() => void run(), PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
