import { operations } from "@/lib/api/operations";
import { presentWebhook, presentWebhookStats } from "@/lib/api/presenters";
import { emptyWebhookStats, webhookStats } from "@/lib/deliveries/webhook-stats";
import { handle } from "@/lib/http/handler";
import { createSubscription, listSubscriptions } from "@/lib/subscriptions/service";

export const GET = handle(operations.listWebhooks, async ({ principal, query, now }) => {
  const page = await listSubscriptions(principal.organizationId, query, now);
  const stats = await webhookStats(principal.organizationId, page.items.map((item) => item.id), now);
  return {
    data: page.items.map((item) => ({
      ...presentWebhook(item, now),
      delivery_stats: presentWebhookStats(stats.get(item.id) ?? emptyWebhookStats()),
    })),
    next_cursor: page.nextCursor,
  };
});

export const POST = handle(operations.createWebhook, async ({ principal, body, now }) => {
  const { daily_cap: dailyCap, ...fields } = body;
  const { subscription, secret } = await createSubscription(principal, { ...fields, dailyCap }, now);
  return { ...presentWebhook(subscription, now), secret };
});
