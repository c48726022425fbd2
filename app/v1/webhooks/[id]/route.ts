import { operations } from "@/lib/api/operations";
import { presentWebhook } from "@/lib/api/presenters";
import { handle } from "@/lib/http/handler";
import { getSubscription } from "@/lib/subscriptions/service";

export const GET = handle(operations.getWebhook, async ({ principal, params, now }) =>
  presentWebhook(await getSubscription(principal.organizationId, params.id, now), now),
);
