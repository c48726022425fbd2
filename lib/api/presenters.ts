import type { SubscriptionView } from "../subscriptions/service";

/** Maps stored rows to API shapes; the response schemas in lib/api/schemas.ts then format and filter them. */
export function presentWebhook(subscription: SubscriptionView, now: Date) {
  return {
    id: subscription.id,
    url: subscription.url,
    description: subscription.description,
    events: subscription.eventTypes,
    enabled: subscription.enabled,
    disabled_reason: subscription.disabledReason,
    // A pause that already ended is not shown.
    paused_until: subscription.pausedUntil && subscription.pausedUntil > now ? subscription.pausedUntil : null,
    daily_cap: subscription.dailyCap,
    secrets: subscription.secrets.map((secret) => ({
      id: secret.id,
      fingerprint: secret.fingerprint,
      status: secret.expiresAt && secret.expiresAt > now ? ("expiring" as const) : ("current" as const),
      created_at: secret.createdAt,
      expires_at: secret.expiresAt,
    })),
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
  };
}
