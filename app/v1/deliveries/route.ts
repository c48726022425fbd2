import { filtersOfQuery } from "@/lib/api/delivery-inspector";
import { operations } from "@/lib/api/operations";
import { listDeliveries, presentDelivery, webhookExists } from "@/lib/deliveries/queries";
import { handle } from "@/lib/http/handler";
import { problems } from "@/lib/http/problem";

export const GET = handle(operations.listDeliveries, async ({ principal, query }) => {
  const { webhook_id: webhookId, ...filters } = query;
  // A filter that names no webhook of the organisation is a mistake to report, not an empty list.
  if (webhookId && !(await webhookExists(principal.organizationId, webhookId))) {
    throw problems.validation([{ field: "query/webhook_id", message: `No webhook ${webhookId} in your organisation` }]);
  }
  const page = await listDeliveries({ organizationId: principal.organizationId, webhookId }, filtersOfQuery(filters), query);
  return { data: page.items.map(presentDelivery), next_cursor: page.nextCursor };
});
