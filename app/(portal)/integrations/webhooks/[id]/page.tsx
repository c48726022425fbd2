import { redirect } from "next/navigation";
import { WEBHOOK_TABS, webhookTabPath } from "@/components/webhooks/webhook-tabs";

export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  redirect(webhookTabPath(id, WEBHOOK_TABS[0]!.segment));
}
