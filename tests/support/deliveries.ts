import { pool } from "../../lib/db";
import type { EventType } from "../../lib/events/catalog";
import { exampleData } from "../../lib/events/examples";
import { api } from "./api";
import type { Tenant } from "./fixtures";

/**
 * Helpers for delivery tests: create webhooks and publish events through the
 * API, read what the product stored, and wait for the worker to get there.
 */
export interface CreatedWebhook {
  id: string;
  secret: string;
}

/** Registers a webhook through the API and returns its id and signing secret. */
export async function createWebhook(tenant: Tenant, url: string, events: string[] = ["finding.created", "finding.escalated", "finding.sla_breached"]): Promise<CreatedWebhook> {
  const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url, events } });
  if (created.status !== 201) throw new Error(`Creating the webhook failed with ${created.status}: ${created.text}`);
  return { id: created.body.id, secret: created.body.secret };
}

/**
 * Publishes an event through the API and returns its id. The data is the
 * type's example payload about `subject`, with `overrides` on top, so it passes
 * the type's schema.
 */
export async function publish(tenant: Tenant, type: EventType, subject: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const data: Record<string, unknown> = { ...exampleData(type), ...overrides };
  if (type.startsWith("asset.")) data.asset_id = subject;
  else data.finding_id = subject;
  const published = await api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type, subject, data } });
  if (published.status !== 202) throw new Error(`Publishing failed with ${published.status}: ${published.text}`);
  return published.body.id;
}

export async function deliveryRow(id: string): Promise<any> {
  return (await pool().query(`SELECT * FROM deliveries WHERE id = $1`, [id])).rows[0];
}

/** Returns the delivery of one event to one webhook. */
export async function deliveryOf(eventId: string, webhookId: string): Promise<any> {
  return (await pool().query(`SELECT * FROM deliveries WHERE event_id = $1 AND subscription_id = $2`, [eventId, webhookId])).rows[0];
}

export async function attemptsOf(deliveryId: string): Promise<any[]> {
  return (await pool().query(`SELECT * FROM attempts WHERE delivery_id = $1 ORDER BY number`, [deliveryId])).rows;
}

/** Polls `read` until `accept` holds, failing with the last value read after `timeoutMs`. */
export async function waitUntil<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the delivery has `count` attempts recorded and its state reflects the last one. */
export async function waitForAttempts(deliveryId: string, count: number, timeoutMs = 30_000): Promise<any> {
  return waitUntil(
    () => deliveryRow(deliveryId),
    (row) => row !== undefined && row.attempt_count >= count,
    timeoutMs,
  );
}
