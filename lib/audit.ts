import type pg from "pg";
import type { AuditAction } from "./audit-log/actions";
import type { Prisma } from "./generated/prisma/client";
import { newId } from "./ids";

/**
 * The audit trail: who did what to which object, when and from where. Rows are
 * only ever inserted (the table refuses updates and deletes), and details
 * never hold secret values or keys.
 */
export interface Actor {
  type: "user" | "api_key" | "system";
  id: string | null;
  label: string;
  sourceIp?: string | null;
  userAgent?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, label: "WASViking" };

export interface AuditInput {
  organizationId: string;
  actor: Actor;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  at?: Date;
}

type AuditWriter = pg.Pool | pg.PoolClient | Prisma.TransactionClient;

/** Appends one audit entry through a pg client or a Prisma transaction, so it commits with the change it describes. */
export async function recordAudit(writer: AuditWriter, input: AuditInput): Promise<void> {
  const at = input.at ?? new Date();
  const row = {
    id: newId("audit", at),
    organizationId: input.organizationId,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorLabel: input.actor.label,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    details: input.details ?? {},
    sourceIp: input.actor.sourceIp ?? null,
    userAgent: input.actor.userAgent ?? null,
    createdAt: at,
  };
  if ("auditEntry" in writer) {
    await writer.auditEntry.create({ data: { ...row, details: row.details as Prisma.InputJsonValue } });
    return;
  }
  await writer.query(
    `INSERT INTO audit_entries (id, organization_id, actor_type, actor_id, actor_label, action, target_type, target_id, details, source_ip, user_agent, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [row.id, row.organizationId, row.actorType, row.actorId, row.actorLabel, row.action, row.targetType, row.targetId, JSON.stringify(row.details), row.sourceIp, row.userAgent, row.createdAt],
  );
}
