import { operations } from "@/lib/api/operations";
import { presentWebhook, presentWebhookStats } from "@/lib/api/presenters";
import { emptyWebhookStats, webhookStats } from "@/lib/deliveries/webhook-stats";
import { producer } from "@/lib/dispatch/producer";
import { handle } from "@/lib/http/handler";
import { deleteSubscription, getSubscription, updateSubscription } from "@/lib/subscriptions/service";

export const GET = handle(operations.getWebhook, async ({ principal, params, now }) => {
  const subscription = await getSubscription(principal.organizationId, params.id, now);
  const stats = await webhookStats(principal.organizationId, [subscription.id], now);
  return { ...presentWebhook(subscription, now), delivery_stats: presentWebhookStats(stats.get(subscription.id) ?? emptyWebhookStats()) };
});

export const PATCH = handle(operations.updateWebhook, async ({ principal, params, body, now }) => {
  const { daily_cap: dailyCap, ...fields } = body;
  return presentWebhook(await updateSubscription(principal, params.id, { ...fields, dailyCap }, now, { producer }), now);
});

export const DELETE = handle(operations.deleteWebhook, async ({ principal, params, now }) => {
  await deleteSubscription(principal, params.id, now);
  return undefined;
});
