import type { Actor } from "../audit";
import { recordAudit } from "../audit";
import type { Scope } from "../auth/principal";
import { generateApiKey } from "../crypto/api-keys";
import { pool, prisma } from "../db";
import { newId } from "../ids";

/** Creates an API key and returns it with its clear-text value, which is never available again. */
export async function createApiKey(
  organizationId: string,
  input: { name: string; scopes: Scope[]; createdByUserId?: string | null },
  actor: Actor,
  now = new Date(),
): Promise<{ id: string; key: string; prefix: string }> {
  const generated = generateApiKey();
  const id = newId("apiKey", now);
  await prisma().$transaction(async (tx) => {
    await tx.apiKey.create({
      data: {
        id,
        organizationId,
        name: input.name,
        prefix: generated.prefix,
        hash: generated.hash,
        scopes: input.scopes,
        createdByUserId: input.createdByUserId ?? null,
        createdAt: now,
      },
    });
    await recordAudit(tx, {
      organizationId,
      actor,
      action: "api_key.created",
      targetType: "api_key",
      targetId: id,
      details: { name: input.name, prefix: generated.prefix, scopes: input.scopes },
      at: now,
    });
  });
  return { id, key: generated.key, prefix: generated.prefix };
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  created_by_user_id: string | null;
  created_by_name: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

// Never the hash: nothing outside authentication needs it.
const API_KEY_COLUMNS = `k.id, k.name, k.prefix, k.scopes, k.created_at, k.created_by_user_id, u.name AS created_by_name, k.last_used_at, k.revoked_at`;

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.created_at,
    createdBy: row.created_by_user_id && row.created_by_name !== null ? { id: row.created_by_user_id, name: row.created_by_name } : null,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Returns one API key of the organisation, or null. */
export async function getApiKey(organizationId: string, id: string): Promise<ApiKeyView | null> {
  const result = await pool().query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by_user_id WHERE k.id = $1 AND k.organization_id = $2`,
    [id, organizationId],
  );
  const row = result.rows[0];
  return row ? toView(row) : null;
}

/** Lists the organisation's API keys, revoked ones included, newest first, with keyset pagination on the id. */
export async function listApiKeys(
  organizationId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: ApiKeyView[]; nextCursor: string | null }> {
  const result = await pool().query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by_user_id
     WHERE k.organization_id = $1 AND ($2::text IS NULL OR k.id < $2)
     ORDER BY k.id DESC LIMIT $3`,
    [organizationId, page.cursor ?? null, page.limit + 1],
  );
  const rows = result.rows;
  const items = rows.slice(0, page.limit).map(toView);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/**
 * Revokes an API key, so every later request with it is rejected with 401. Revoking a key
 * that is already revoked changes nothing and returns it as it is. Returns
 * null when the organisation has no such key.
 */
export async function revokeApiKey(organizationId: string, id: string, actor: Actor, now: Date): Promise<ApiKeyView | null> {
  await prisma().$transaction(async (tx) => {
    const revoked = await tx.apiKey.updateMany({ where: { id, organizationId, revokedAt: null }, data: { revokedAt: now } });
    if (revoked.count === 0) return;
    const key = await tx.apiKey.findUniqueOrThrow({ where: { id }, select: { name: true, prefix: true } });
    await recordAudit(tx, {
      organizationId,
      actor,
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: id,
      details: { name: key.name, prefix: key.prefix },
      at: now,
    });
  });
  return getApiKey(organizationId, id);
}
