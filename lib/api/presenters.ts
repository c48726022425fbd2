import type { ApiKeyView } from "../accounts/api-keys";
import { auditActionLabel } from "../audit-log/actions";
import type { AuditEntryRow } from "../audit-log/queries";
import type { CapToday, UsageBucket } from "../caps/usage-report";
import type { WebhookStats } from "../deliveries/webhook-stats";
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

/** Maps a webhook's delivery figures (lib/deliveries/webhook-stats.ts) to their API shape. */
export function presentWebhookStats(stats: WebhookStats) {
  const last = stats.lastDelivery;
  return {
    last_delivery: last
      ? { id: last.id, event_type: last.eventType, status: last.status, attempted_at: last.attemptedAt, status_code: last.statusCode, error_class: last.errorClass }
      : null,
    last_24h: {
      succeeded: stats.last24h.succeeded,
      failed: stats.last24h.failed,
      retrying: stats.last24h.retrying,
      waiting: stats.last24h.waiting,
      success_rate: stats.last24h.successRate,
    },
  };
}

/** Maps an API key's stored fields (never its hash) to their API shape. */
export function presentApiKey(key: ApiKeyView) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    created_at: key.createdAt,
    created_by: key.createdBy,
    last_used_at: key.lastUsedAt,
    revoked_at: key.revokedAt,
  };
}

/** Maps a webhook's standing against its daily cap (lib/caps/usage-report.ts) to its API shape. */
export function presentCapToday(today: CapToday) {
  return {
    day: today.day,
    used: today.used,
    daily_cap: today.dailyCap,
    remaining: today.remaining,
    state: today.state,
    warning_at: today.warningAt,
    resets_at: today.resetsAt,
    held: today.heldNow,
    held_until: today.cappedUntil,
  };
}

/** Maps a usage bucket to its API shape. */
export function presentUsageBucket(bucket: UsageBucket) {
  return {
    start: bucket.start,
    end: bucket.end,
    counted: bucket.counted,
    succeeded: bucket.succeeded,
    failed: bucket.failed,
    held: bucket.held,
    daily_cap: bucket.dailyCap,
  };
}

/** Maps an audit entry to its API shape, with the action's readable label. */
export function presentAuditEntry(entry: AuditEntryRow) {
  return {
    id: entry.id,
    created_at: entry.created_at,
    action: entry.action,
    action_label: auditActionLabel(entry.action),
    actor: { type: entry.actor_type, id: entry.actor_id, label: entry.actor_label },
    target: entry.target_type && entry.target_id ? { type: entry.target_type, id: entry.target_id } : null,
    webhook_id: entry.webhook_id,
    source_ip: entry.source_ip,
    user_agent: entry.user_agent,
    details: entry.details,
  };
}
