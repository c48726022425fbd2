import { SettingsTab } from "@/components/webhooks/settings-tab";

export default async function WebhookTabPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SettingsTab webhookId={id} />;
}
