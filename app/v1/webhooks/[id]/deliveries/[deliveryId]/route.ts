import { canReadResponses, presentDeliveryDetail } from "@/lib/api/delivery-inspector";
import { operations } from "@/lib/api/operations";
import { getDeliveryDetail } from "@/lib/deliveries/queries";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.getWebhookDelivery, async ({ principal, params, now }) => {
  const detail = await getDeliveryDetail(principal.organizationId, params.id, params.deliveryId);
  return presentDeliveryDetail(detail, { canReadResponses: canReadResponses(principal), now });
});
