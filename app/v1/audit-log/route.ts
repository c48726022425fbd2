import { operations } from "@/lib/api/operations";
import { presentAuditEntry } from "@/lib/api/presenters";
import { listAuditEntries } from "@/lib/audit-log/queries";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.listAuditEntries, async ({ principal, query }) => {
  const filters = { actions: query.action, actor: query.actor, targetId: query.target_id, from: query.from, to: query.to };
  const page = await listAuditEntries(principal.organizationId, filters, query);
  return { data: page.items.map(presentAuditEntry), next_cursor: page.nextCursor };
});
