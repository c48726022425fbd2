import { filtersOfQuery } from "@/lib/api/delivery-inspector";
import { operations } from "@/lib/api/operations";
import { listDeliveries, presentDelivery } from "@/lib/deliveries/queries";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.listWebhookDeliveries, async ({ principal, params, query }) => {
  const page = await listDeliveries({ organizationId: principal.organizationId, webhookId: params.id }, filtersOfQuery(query), query);
  return { data: page.items.map(presentDelivery), next_cursor: page.nextCursor };
});
