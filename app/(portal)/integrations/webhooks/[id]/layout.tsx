import type { Metadata } from "next";
import type { ReactNode } from "react";
import { WebhookFrame } from "@/components/webhooks/webhook-frame";

export const metadata: Metadata = { title: "Webhook · WASViking" };

export default async function WebhookLayout({ params, children }: { params: Promise<{ id: string }>; children: ReactNode }) {
  const { id } = await params;
  return <WebhookFrame webhookId={id}>{children}</WebhookFrame>;
}
