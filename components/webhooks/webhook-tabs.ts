/**
 * The tabs of a webhook's page, in order. A new tab is an entry here plus a
 * route at app/(portal)/integrations/webhooks/[id]/<segment>/page.tsx; the
 * first tab is where /integrations/webhooks/<id> leads.
 */
export interface WebhookTab {
  segment: string;
  label: string;
}

export const WEBHOOK_TABS: readonly WebhookTab[] = [
  { segment: "settings", label: "Settings" },
  { segment: "secrets", label: "Secrets" },
  { segment: "deliveries", label: "Deliveries" },
  { segment: "usage", label: "Usage" },
];

/** Returns the path of a webhook's tab. */
export function webhookTabPath(webhookId: string, segment: string): string {
  return `/integrations/webhooks/${encodeURIComponent(webhookId)}/${segment}`;
}
