import type { Principal } from "../auth/principal";
import { recordAudit } from "../audit";
import { encrypt } from "../crypto/encryption";
import { keyring } from "../crypto/keyring";
import { generateSigningSecret, secretFingerprint } from "../crypto/signing-secrets";
import { prisma } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { problems } from "../http/problem";
import { newId } from "../ids";
import { destinationPolicy } from "./destination-policy";
import { checkDestinationUrl } from "../url-safety";

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
    secrets: { where: validSecretFilter(now), select: secretColumns, orderBy: { createdAt: "desc" as const } },
  } satisfies Prisma.SubscriptionSelect;
}

export type SubscriptionView = Prisma.SubscriptionGetPayload<{ select: ReturnType<typeof withSecrets> }>;

/** Validates a destination URL under the configured policy, as a 422 on failure. */
export function assertDestination(url: string): string {
  const check = checkDestinationUrl(url, destinationPolicy());
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

export interface CreateSubscriptionInput {
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
}

/** Creates a webhook with its first signing secret; the secret is returned here and never again. */
export async function createSubscription(
  principal: Principal,
  input: CreateSubscriptionInput,
  now: Date,
): Promise<{ subscription: SubscriptionView; secret: string }> {
  const url = assertDestination(input.url);
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
      details: { url, events: created.eventTypes, secretFingerprint: row.fingerprint },
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

/**
 * Rotates the signing secret: a new secret becomes current and the previous
 * current one keeps signing for 24 hours. A second rotation inside that window
 * revokes the oldest secret at once, so a request never carries more than two
 * signatures.
 */
export async function rotateSecret(principal: Principal, id: string, now: Date): Promise<{ secret: string; secretId: string; fingerprint: string; subscription: SubscriptionView }> {
  const { secret, row } = newSecretRow(now);
  return prisma().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM subscriptions WHERE id = ${id} AND organization_id = ${principal.organizationId} FOR UPDATE`;
    if (locked.length === 0) throw problems.notFound(`Webhook ${id}`);
    const valid = await tx.signingSecret.findMany({ where: { subscriptionId: id, ...validSecretFilter(now) }, select: { id: true, expiresAt: true } });
    const revoked = valid.filter((item) => item.expiresAt !== null).map((item) => item.id);
    const previous = valid.filter((item) => item.expiresAt === null).map((item) => item.id);
    if (revoked.length > 0) await tx.signingSecret.updateMany({ where: { id: { in: revoked } }, data: { revokedAt: now } });
    if (previous.length > 0) {
      await tx.signingSecret.updateMany({ where: { id: { in: previous } }, data: { expiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS) } });
    }
    await tx.signingSecret.create({ data: { ...row, subscriptionId: id } });
    await tx.subscription.update({ where: { id }, data: { updatedAt: now } });
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.secret_rotated",
      targetType: "webhook",
      targetId: id,
      details: { newFingerprint: row.fingerprint, expiringSecretIds: previous, revokedSecretIds: revoked },
      at: now,
    });
    const subscription = await tx.subscription.findFirstOrThrow({ where: { id }, select: withSecrets(now) });
    return { secret, secretId: row.id, fingerprint: row.fingerprint, subscription };
  });
}

export interface UpdateSubscriptionInput {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
}

/**
 * Changes a webhook. Enabling it again clears the reason the platform had
 * switched it off. Deliveries already made keep the URL they were sent to;
 * later attempts use the new one.
 */
export async function updateSubscription(principal: Principal, id: string, input: UpdateSubscriptionInput, now: Date): Promise<SubscriptionView> {
  const url = input.url === undefined ? undefined : assertDestination(input.url);
  return prisma().$transaction(async (tx) => {
    const current = await tx.subscription.findFirst({ where: { id, organizationId: principal.organizationId }, select: subscriptionColumns });
    if (!current) throw problems.notFound(`Webhook ${id}`);
    const data: Prisma.SubscriptionUpdateInput = { updatedAt: now };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (url !== undefined && url !== current.url) {
      data.url = url;
      changes.url = { from: current.url, to: url };
    }
    if (input.events !== undefined) {
      const events = [...new Set(input.events)];
      data.eventTypes = events;
      changes.events = { from: current.eventTypes, to: events };
    }
    if (input.description !== undefined && input.description !== current.description) {
      data.description = input.description;
      changes.description = { from: current.description, to: input.description };
    }
    if (input.enabled !== undefined && input.enabled !== current.enabled) {
      data.enabled = input.enabled;
      data.disabledReason = null;
      data.disabledAt = input.enabled ? null : now;
      changes.enabled = { from: current.enabled, to: input.enabled };
    }
    const updated = await tx.subscription.update({ where: { id }, data, select: withSecrets(now) });
    if (Object.keys(changes).length > 0) {
      await recordAudit(tx, {
        organizationId: principal.organizationId,
        actor: principal.actor,
        action: "webhook.updated",
        targetType: "webhook",
        targetId: id,
        details: { changes },
        at: now,
      });
    }
    return updated;
  });
}

/** Deletes a webhook with its secrets and delivery history; deliveries not yet made are never sent. */
export async function deleteSubscription(principal: Principal, id: string, now: Date): Promise<void> {
  await prisma().$transaction(async (tx) => {
    const current = await tx.subscription.findFirst({ where: { id, organizationId: principal.organizationId }, select: { url: true } });
    if (!current) throw problems.notFound(`Webhook ${id}`);
    const pending = await tx.delivery.count({ where: { subscriptionId: id, status: { in: ["pending", "retrying", "held"] } } });
    await tx.subscription.delete({ where: { id } });
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: id,
      details: { url: current.url, discardedPendingDeliveries: pending },
      at: now,
    });
  });
}

/**
 * Revokes a secret that is still in its rotation overlap, so it stops signing
 * at once. The current secret cannot be revoked: rotate first, so the webhook
 * always has a secret to sign with.
 */
export async function revokeSecret(principal: Principal, id: string, secretId: string, now: Date): Promise<SubscriptionView> {
  return prisma().$transaction(async (tx) => {
    const owner = await tx.subscription.findFirst({ where: { id, organizationId: principal.organizationId }, select: { id: true } });
    if (!owner) throw problems.notFound(`Webhook ${id}`);
    const secret = await tx.signingSecret.findFirst({
      where: { id: secretId, subscriptionId: id, ...validSecretFilter(now) },
      select: { id: true, fingerprint: true, expiresAt: true },
    });
    if (!secret) throw problems.notFound(`Secret ${secretId}`);
    if (secret.expiresAt === null) {
      throw problems.conflict("This is the webhook's current secret and cannot be revoked: rotate it first, then revoke the old one");
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
    return tx.subscription.findFirstOrThrow({ where: { id }, select: withSecrets(now) });
  });
}
