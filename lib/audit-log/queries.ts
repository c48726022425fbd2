import { pool } from "../db";
import { idLowerBound } from "../ids";
import type { AuditAction } from "./actions";

/**
 * Reads of the audit log: one organisation's entries, newest first, with
 * keyset pagination on the id. Ids of audit entries carry their creation time
 * (lib/ids.ts), so a time range also bounds the id and uses the same indexes.
 */
export interface AuditLogFilters {
  actions?: AuditAction[];
  // A user or API key id, or "system" for entries without one.
  actor?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

export interface AuditEntryRow {
  id: string;
  created_at: Date;
  action: string;
  actor_type: "user" | "api_key" | "system";
  actor_id: string | null;
  actor_label: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  source_ip: string | null;
  user_agent: string | null;
  webhook_id: string | null;
}

/** Lists the organisation's audit entries that match every filter, newest first. */
export async function listAuditEntries(
  organizationId: string,
  filters: AuditLogFilters,
  page: { limit: number; cursor?: string },
): Promise<{ items: AuditEntryRow[]; nextCursor: string | null }> {
  const conditions = ["a.organization_id = $1"];
  const values: unknown[] = [organizationId];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(condition(`$${values.length}`));
  };
  if (filters.actions) add((p) => `a.action = ANY(${p}::text[])`, filters.actions);
  if (filters.actor === "system") conditions.push(`a.actor_type = 'system'`);
  else if (filters.actor) add((p) => `a.actor_id = ${p}`, filters.actor);
  if (filters.targetId) add((p) => `a.target_id = ${p}`, filters.targetId);
  if (filters.from) {
    add((p) => `a.id >= ${p}`, idLowerBound("audit", filters.from));
    add((p) => `a.created_at >= ${p}`, filters.from);
  }
  if (filters.to) {
    add((p) => `a.id < ${p}`, idLowerBound("audit", filters.to));
    add((p) => `a.created_at < ${p}`, filters.to);
  }
  if (page.cursor) add((p) => `a.id < ${p}`, page.cursor);
  values.push(page.limit + 1);

  // The webhook an entry is about: its target, or for a delivery's entry the webhookId in its details.
  const result = await pool().query<AuditEntryRow>(
    `SELECT a.id, a.created_at, a.action, a.actor_type, a.actor_id, a.actor_label, a.target_type, a.target_id,
            a.details, a.source_ip, a.user_agent, s.id AS webhook_id
     FROM audit_entries a
     LEFT JOIN subscriptions s ON s.organization_id = a.organization_id
       AND s.id = CASE WHEN a.target_type = 'webhook' THEN a.target_id ELSE a.details->>'webhookId' END
     WHERE ${conditions.join(" AND ")}
     ORDER BY a.id DESC
     LIMIT $${values.length}`,
    values,
  );
  const items = result.rows.slice(0, page.limit);
  return { items, nextCursor: result.rows.length > page.limit ? items[items.length - 1]!.id : null };
}
