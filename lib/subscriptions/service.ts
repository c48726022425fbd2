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
