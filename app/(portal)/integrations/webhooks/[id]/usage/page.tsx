import { UsageTab } from "@/components/webhooks/usage-tab";

export default async function WebhookUsagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <UsageTab webhookId={id} />;
}
