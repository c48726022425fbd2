import type { Metadata } from "next";
import { WebhookListPage } from "@/components/webhooks/webhook-list-page";

export const metadata: Metadata = { title: "Webhooks · WASViking" };

export default function WebhooksPage() {
  return <WebhookListPage />;
}
