import { webhookTabPath } from "@/components/webhooks/webhook-tabs";

/**
 * Addresses of the inspector's views. A delivery has a page of its own, which
 * keeps the list's filters in its query so closing the panel returns to them.
 */
export function deliveriesPath(webhookId: string, search = ""): string {
  return `${webhookTabPath(webhookId, "deliveries")}${search ? `?${search}` : ""}`;
}

export function deliveryPath(webhookId: string, deliveryId: string, search = ""): string {
  return `${webhookTabPath(webhookId, "deliveries")}/${encodeURIComponent(deliveryId)}${search ? `?${search}` : ""}`;
}
