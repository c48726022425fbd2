import type { Principal } from "../auth/principal";
import { recordAudit } from "../audit";
import type { AuditAction } from "../audit-log/actions";
import { encrypt } from "../crypto/encryption";
import { keyring } from "../crypto/keyring";
import { generateSigningSecret, secretFingerprint } from "../crypto/signing-secrets";
import type { PgBoss } from "pg-boss";
import { prisma, withTransaction } from "../db";
import { changeReleasesHeldByCap, releaseAfterWebhookChange } from "../caps/release";
import { assertChangeWithinDailyCap } from "../caps/write-guard";
import { currentTime } from "../clock";
import { dailyCapLimitProblem } from "./daily-cap-limit";
import { holdOpenDeliveries, releaseHeldDeliveries } from "../deliveries/hold";
import { deleteQueuedAttempts, queueAttempts } from "../dispatch/queue";
import type { Prisma } from "../generated/prisma/client";
import { problems } from "../http/problem";
import { newId } from "../ids";
import { checkDestination } from "./destination-policy";

/**
 * Webhook subscriptions and their signing secrets. Every query is scoped to the
 * caller's organisation, so another organisation's webhook is simply not found.
 */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

// Columns of a secret that may leave this module; the ciphertext is never among them.
const secretColumns = { id: true, fingerprint: true, createdAt: true, expiresAt: true } satisfies Prisma.SigningSecretSelect;

const subscriptionColumns = {
  id: true,
  organizationId: true,
  url: true,
  description: true,
  eventTypes: true,
  enabled: true,
  disabledReason: true,
  disabledCause: true,
  failingSince: true,
  consecutiveFailures: true,
  lastFailureAt: true,
  pausedUntil: true,
  dailyCap: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.SubscriptionSelect;

/** Filter of the secrets that still sign at `now`. */
export function validSecretFilter(now: Date): Prisma.SigningSecretWhereInput {
  return { revokedAt: null, createdAt: { lte: now }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

function withSecrets(now: Date) {
  return {
    ...subscriptionColumns,
    // The current secret first, then the one in its overlap.
    secrets: {
      where: validSecretFilter(now),
      select: secretColumns,
      orderBy: [{ expiresAt: { sort: "desc" as const, nulls: "first" as const } }, { createdAt: "desc" as const }, { id: "desc" as const }],
    },
  } satisfies Prisma.SubscriptionSelect;
}

export type SubscriptionView = Prisma.SubscriptionGetPayload<{ select: ReturnType<typeof withSecrets> }>;

/** Validates a destination URL under the configured policy, as a 422 on failure. */
export async function assertDestination(url: string): Promise<string> {
  const check = await checkDestination(url);
  if (!check.ok) throw problems.validation([{ field: "url", message: check.message }]);
  return check.url;
}

function newSecretRow(now: Date) {
  const secret = generateSigningSecret();
  return {
    secret,
    row: { id: newId("secret", now), ciphertext: encrypt(keyring(), secret), fingerprint: secretFingerprint(secret), createdAt: now },
  };
}

/** Rejects a daily cap above the deployment's maximum (WVK_MAX_DAILY_CAP), as a 422 on the field. */
function assertDailyCap(dailyCap: number | undefined): void {
  if (dailyCap === undefined) return;
  const problem = dailyCapLimitProblem(dailyCap);
  if (problem) throw problems.validation([{ field: "daily_cap", message: problem }]);
}

export interface CreateSubscriptionInput {
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
  // Deliveries per UTC day; the column's default (50,000) when absent.
  dailyCap?: number;
}

/** Creates a webhook with its first signing secret; the secret is returned here and never again. */
export async function createSubscription(
  principal: Principal,
  input: CreateSubscriptionInput,
  now: Date,
): Promise<{ subscription: SubscriptionView; secret: string }> {
  assertDailyCap(input.dailyCap);
  const url = await assertDestination(input.url);
  const { secret, row } = newSecretRow(now);
  const id = newId("subscription", now);
  const subscription = await prisma().$transaction(async (tx) => {
    const created = await tx.subscription.create({
      data: {
        id,
        organizationId: principal.organizationId,
        url,
        description: input.description,
        eventTypes: [...new Set(input.events)],
        enabled: input.enabled,
        ...(input.dailyCap !== undefined ? { dailyCap: input.dailyCap } : {}),
        createdAt: now,
        updatedAt: now,
        secrets: { create: row },
      },
      select: withSecrets(now),
    });
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.created",
      targetType: "webhook",
      targetId: id,
      details: { url, events: created.eventTypes, dailyCap: created.dailyCap, secretFingerprint: row.fingerprint },
      at: now,
    });
    return created;
  });
  return { subscription, secret };
}

/** Lists the organisation's webhooks, newest first, with keyset pagination on the id. */
export async function listSubscriptions(
  organizationId: string,
  page: { limit: number; cursor?: string },
  now: Date,
): Promise<{ items: SubscriptionView[]; nextCursor: string | null }> {
  const rows = await prisma().subscription.findMany({
    where: { organizationId, ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: page.limit + 1,
    select: withSecrets(now),
  });
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** Returns one webhook of the organisation, or throws 404. */
export async function getSubscription(organizationId: string, id: string, now: Date): Promise<SubscriptionView> {
  const found = await prisma().subscription.findFirst({ where: { id, organizationId }, select: withSecrets(now) });
  if (!found) throw problems.notFound(`Webhook ${id}`);
  return found;
}

/** A previous secret that a rotation revoked before its overlap ended. */
export interface RevokedEarly {
  id: string;
  fingerprint: string;
  // When its overlap would have ended; null for a second current secret, which has no overlap.
  expiresAt: Date | null;
}

export interface RotatedSecret {
  secret: string;
  secretId: string;
  fingerprint: string;
  rotatedAt: Date;
  revokedEarly: RevokedEarly[];
  subscription: SubscriptionView;
}

// Rotations and revokes of one webhook wait for each other on its row lock. Prisma's default of 5 s for a whole
// interactive transaction would end a queued one with an error, so the limit covers a queue of them.
const SECRET_LOCK_TRANSACTION = { maxWait: 10_000, timeout: 30_000 };

/**
 * Rotates the signing secret: a new secret becomes current and the previous
 * current one keeps signing for 24 hours. A second rotation inside that window
 * revokes the oldest secret at once, so a request never carries more than two
 * signatures; the result names each secret revoked that way. With
 * `expectedCurrentSecretId`, the rotation happens only while that secret is
 * still the current one, and a 409 current-secret-changed otherwise.
 *
 * Rotations of one webhook run one after the other under the webhook's row
 * lock, and each reads the secrets only once it holds the lock, so it finds
 * every secret that the rotations before it created, whenever they arrived.
 */
export async function rotateSecret(
  principal: Principal,
  id: string,
  now: Date,
  options: { expectedCurrentSecretId?: string } = {},
): Promise<RotatedSecret> {
  return prisma().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM subscriptions WHERE id = ${id} AND organization_id = ${principal.organizationId} FOR UPDATE`;
    if (locked.length === 0) throw problems.notFound(`Webhook ${id}`);
    const unrevoked = await tx.signingSecret.findMany({
      where: { subscriptionId: id, revokedAt: null },
      select: { id: true, fingerprint: true, createdAt: true, expiresAt: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    // The time is read after the lock, and is never earlier than the newest secret, so the new secret is the newest
    // even when this request waited for the lock or another server's clock is ahead.
    const rotatedAt = latestOf([now, currentTime(), ...unrevoked.map((secret) => secret.createdAt)]);
    const signing = unrevoked.filter((secret) => secret.expiresAt === null || secret.expiresAt > rotatedAt);
    const current = signing.find((secret) => secret.expiresAt === null);
    const expected = options.expectedCurrentSecretId;
    if (expected !== undefined && current?.id !== expected) {
      throw problems.currentSecretChanged({ webhookId: id, expectedSecretId: expected, current: current ?? null });
    }
    // Only the secret that was current keeps signing next to the new one. Every other secret that still signs is
    // revoked: the one in its overlap, and any older current secret, which concurrent rotations of earlier
    // releases could leave behind.
    const revokedEarly = signing.filter((secret) => secret !== current).map((secret) => ({ id: secret.id, fingerprint: secret.fingerprint, expiresAt: secret.expiresAt }));
    const overlapEndsAt = new Date(rotatedAt.getTime() + ROTATION_OVERLAP_MS);
    if (revokedEarly.length > 0) {
      await tx.signingSecret.updateMany({ where: { id: { in: revokedEarly.map((secret) => secret.id) } }, data: { revokedAt: rotatedAt } });
    }
    if (current) await tx.signingSecret.update({ where: { id: current.id }, data: { expiresAt: overlapEndsAt } });
    const { secret, row } = newSecretRow(rotatedAt);
    await tx.signingSecret.create({ data: { ...row, subscriptionId: id } });
    await tx.subscription.update({ where: { id }, data: { updatedAt: rotatedAt } });
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.secret_rotated",
      targetType: "webhook",
      targetId: id,
      // The overlap ends by itself at overlapEndsAt, so this entry also records when the old secret stops signing.
      details: {
        newFingerprint: row.fingerprint,
        expiringSecretIds: current ? [current.id] : [],
        overlapEndsAt: current ? overlapEndsAt.toISOString() : null,
        revokedSecretIds: revokedEarly.map((secret) => secret.id),
      },
      at: rotatedAt,
    });
    const subscription = await tx.subscription.findFirstOrThrow({ where: { id }, select: withSecrets(rotatedAt) });
    return {
      secret,
      secretId: row.id,
      fingerprint: row.fingerprint,
      rotatedAt,
      revokedEarly,
      subscription,
    };
  }, SECRET_LOCK_TRANSACTION);
}

function latestOf(times: Date[]): Date {
  return new Date(Math.max(...times.map((time) => time.getTime())));
}

export interface UpdateSubscriptionInput {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
  dailyCap?: number;
}

interface SubscriptionRow {
  url: string;
  event_types: string[];
  description: string;
  enabled: boolean;
  disabled_reason: string | null;
  daily_cap: number;
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

// The changes accepted while the webhook has used its daily cap: they are how an admin lifts it or stops deliveries.
const CHANGES_ALLOWED_OVER_CAP: ReadonlySet<keyof UpdateSubscriptionInput> = new Set(["dailyCap", "enabled"]);

/**
 * Changes a webhook. Disabling it holds its open deliveries. Enabling it again
 * clears the reason the platform had switched it off and its health facts
 * (a fresh start, so the sweep does not switch it off again at once), and
 * releases the deliveries held meanwhile, in order (lib/deliveries/hold.ts). Deliveries
 * already made keep the URL they were sent to; later attempts use the new one.
 * A new daily cap applies to the current UTC day at once. Enabling the webhook
 * or changing its cap releases the deliveries held by the cap that the day's
 * cap now admits (lib/caps/release.ts). While the webhook has used its
 * cap, only daily_cap and enabled may change (429 otherwise).
 */
export async function updateSubscription(
  principal: Principal,
  id: string,
  input: UpdateSubscriptionInput,
  now: Date,
  options: { producer: () => Promise<PgBoss> },
): Promise<SubscriptionView> {
  assertDailyCap(input.dailyCap);
  const url = input.url === undefined ? undefined : await assertDestination(input.url);
  // Released deliveries are queued in the same transaction as the change, so the producer must be started first.
  const boss = input.enabled === true || input.dailyCap !== undefined ? await options.producer() : undefined;
  await withTransaction(async (client) => {
    const found = await client.query<SubscriptionRow>(
      `SELECT url, event_types, description, enabled, disabled_reason, daily_cap FROM subscriptions WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
      [id, principal.organizationId],
    );
    const current = found.rows[0];
    if (!current) throw problems.notFound(`Webhook ${id}`);
    const requested = (Object.keys(input) as Array<keyof UpdateSubscriptionInput>).filter((key) => input[key] !== undefined);
    if (requested.some((key) => !CHANGES_ALLOWED_OVER_CAP.has(key))) await assertChangeWithinDailyCap(client, principal, id, now);
    const next = { ...current };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (url !== undefined && url !== current.url) {
      next.url = url;
      changes.url = { from: current.url, to: url };
    }
    if (input.events !== undefined) {
      next.event_types = [...new Set(input.events)];
      if (!sameItems(next.event_types, current.event_types)) changes.events = { from: current.event_types, to: next.event_types };
    }
    if (input.description !== undefined && input.description !== current.description) {
      next.description = input.description;
      changes.description = { from: current.description, to: input.description };
    }
    const enabledChanged = input.enabled !== undefined && input.enabled !== current.enabled;
    if (enabledChanged) next.enabled = input.enabled!;
    const capChanged = input.dailyCap !== undefined && input.dailyCap !== current.daily_cap;
    if (capChanged) next.daily_cap = input.dailyCap!;
    await client.query(
      `UPDATE subscriptions SET url = $2, event_types = $3, description = $4, enabled = $5, updated_at = $6::timestamptz,
         disabled_reason = CASE WHEN $7::boolean THEN NULL ELSE disabled_reason END,
         disabled_cause = CASE WHEN $7::boolean THEN NULL ELSE disabled_cause END,
         failing_since = CASE WHEN $7::boolean AND $5::boolean THEN NULL ELSE failing_since END,
         consecutive_failures = CASE WHEN $7::boolean AND $5::boolean THEN 0 ELSE consecutive_failures END,
         last_failure_at = CASE WHEN $7::boolean AND $5::boolean THEN NULL ELSE last_failure_at END,
         disabled_at = CASE WHEN $7::boolean THEN (CASE WHEN $5::boolean THEN NULL ELSE $6::timestamptz END) ELSE disabled_at END,
         daily_cap = $8
       WHERE id = $1`,
      [id, next.url, next.event_types, next.description, next.enabled, now, enabledChanged, next.daily_cap],
    );
    // One entry per kind of change, so enabling, disabling and cap changes can be found by their action.
    const audit = (action: AuditAction, details: Record<string, unknown>) =>
      recordAudit(client, { organizationId: principal.organizationId, actor: principal.actor, action, targetType: "webhook", targetId: id, details, at: now });
    if (Object.keys(changes).length > 0) await audit("webhook.updated", { changes });
    if (enabledChanged && !next.enabled) {
      const heldIds = await holdOpenDeliveries(client, [id]);
      await audit("webhook.disabled", { changes: { enabled: { from: true, to: false } }, heldDeliveries: heldIds.length });
    }
    // Released before the deliveries held while disabled, because they are older, and because every release of
    // cap-held deliveries locks the budget row before the ordering chains.
    const releaseByCap = changeReleasesHeldByCap({ enabledBefore: current.enabled, enabledAfter: next.enabled, capChanged });
    const releasedByCap = releaseByCap ? await releaseAfterWebhookChange(client, id, now) : undefined;
    if (releasedByCap) await queueAttempts(boss!, client, releasedByCap.toQueue, now);
    if (enabledChanged && next.enabled) {
      const released = await releaseHeldDeliveries(client, id, now);
      await queueAttempts(boss!, client, released.toQueue, now);
      await audit("webhook.enabled", {
        changes: { enabled: { from: false, to: true } },
        clearedDisabledReason: current.disabled_reason,
        releasedDeliveries: released.releasedIds.length,
        releasedHeldByCap: releasedByCap?.released ?? 0,
      });
    }
    if (capChanged) {
      const details: Record<string, unknown> = { changes: { daily_cap: { from: current.daily_cap, to: next.daily_cap } } };
      // A change that also enabled the webhook reports the release in its webhook.enabled entry, so it is counted once.
      if (releasedByCap && !enabledChanged) details.releasedHeldByCap = releasedByCap.released;
      await audit("webhook.daily_cap_changed", details);
    }
  });
  return getSubscription(principal.organizationId, id, now);
}

/**
 * Deletes a webhook with its secrets, delivery history, ordering chains, usage
 * counters and budget, and removes its queued attempt jobs, so deliveries not
 * yet made are never sent. An attempt a worker has already started may still
 * reach the receiver, and finds no delivery to record (lib/deliveries/record.ts).
 */
export async function deleteSubscription(principal: Principal, id: string, now: Date): Promise<void> {
  // withTransaction runs the deletion again after a deadlock, which a recording worker can still cause.
  await withTransaction(async (client) => {
    // The webhook's row is locked before anything that hangs off it, the order publishers and changes use
    // (lib/events/publish.ts). Publishing to it then waits for this transaction and finds it gone.
    const found = await client.query<{ url: string }>(`SELECT url FROM subscriptions WHERE id = $1 AND organization_id = $2 FOR UPDATE`, [
      id,
      principal.organizationId,
    ]);
    const current = found.rows[0];
    if (!current) throw problems.notFound(`Webhook ${id}`);
    const pending = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM deliveries WHERE subscription_id = $1 AND status IN ('pending', 'retrying', 'held')`,
      [id],
    );
    // The foreign keys cascade to every row of the webhook.
    await client.query(`DELETE FROM subscriptions WHERE id = $1`, [id]);
    // Runs after the cascade, which waited for every worker holding a lock on the webhook's deliveries,
    // so the retry jobs those workers queued are visible here.
    await deleteQueuedAttempts(client, id);
    await recordAudit(client, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: id,
      details: { url: current.url, discardedPendingDeliveries: pending.rows[0]!.count },
      at: now,
    });
  });
}

/**
 * Result of a revoke request. `already_revoked` means an earlier revoke or a
 * second rotation revoked the secret, and `already_expired` that its overlap
 * had ended.
 */
export type RevokeOutcome = "revoked" | "already_revoked" | "already_expired";

export interface RevokedSecret {
  id: string;
  fingerprint: string;
  outcome: RevokeOutcome;
  revokedAt: Date | null;
  expiresAt: Date;
}

/**
 * Revokes a secret that is still in its rotation overlap, so it stops signing
 * at once. The current secret cannot be revoked: rotate first, so the webhook
 * always has a secret to sign with. A secret that has already stopped signing
 * is left as it is and reported with its outcome, so a retried revoke
 * succeeds and records nothing.
 */
export async function revokeSecret(
  principal: Principal,
  id: string,
  secretId: string,
  now: Date,
): Promise<{ revoked: RevokedSecret; subscription: SubscriptionView }> {
  return prisma().$transaction(async (tx) => {
    // Locked as rotateSecret locks it, so a concurrent rotation or revoke cannot change the secrets between the read
    // and the update, and two revokes of one secret record one audit entry.
    const owner = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM subscriptions WHERE id = ${id} AND organization_id = ${principal.organizationId} FOR UPDATE`;
    if (owner.length === 0) throw problems.notFound(`Webhook ${id}`);
    const secret = await tx.signingSecret.findFirst({
      where: { id: secretId, subscriptionId: id },
      select: { id: true, fingerprint: true, expiresAt: true, revokedAt: true },
    });
    if (!secret) throw problems.notFound(`Secret ${secretId}`);
    if (secret.expiresAt === null) {
      throw problems.conflict("This is the webhook's current secret and cannot be revoked: rotate it first, then revoke the old one");
    }
    const ended = endedOutcome(secret.revokedAt, secret.expiresAt, now);
    if (ended) {
      const subscription = await tx.subscription.findFirstOrThrow({ where: { id }, select: withSecrets(now) });
      return { revoked: { ...secret, expiresAt: secret.expiresAt, outcome: ended }, subscription };
    }
    await tx.signingSecret.update({ where: { id: secretId }, data: { revokedAt: now } });
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.secret_revoked",
      targetType: "webhook",
      targetId: id,
      details: { secretId, fingerprint: secret.fingerprint },
      at: now,
    });
    const subscription = await tx.subscription.findFirstOrThrow({ where: { id }, select: withSecrets(now) });
    return { revoked: { ...secret, expiresAt: secret.expiresAt, revokedAt: now, outcome: "revoked" }, subscription };
  }, SECRET_LOCK_TRANSACTION);
}

/** Returns how a previous secret had stopped signing by `now`, or null while it still signs. */
function endedOutcome(revokedAt: Date | null, expiresAt: Date, now: Date): Exclude<RevokeOutcome, "revoked"> | null {
  if (revokedAt !== null) return "already_revoked";
  if (expiresAt <= now) return "already_expired";
  return null;
}
