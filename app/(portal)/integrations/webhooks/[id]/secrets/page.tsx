import { SecretsTab } from "@/components/webhooks/secrets-tab";

export default async function WebhookTabPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SecretsTab webhookId={id} />;
}
