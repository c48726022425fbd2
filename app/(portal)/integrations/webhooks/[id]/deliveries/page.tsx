import { DeliveriesTab } from "@/components/webhooks/deliveries-tab";

export default async function WebhookTabPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DeliveriesTab webhookId={id} />;
}
