import type { Metadata } from "next";
import { CreateWebhookPage } from "@/components/webhooks/create-webhook-page";

export const metadata: Metadata = { title: "Create a webhook · WASViking" };

export default function NewWebhookPage() {
  return <CreateWebhookPage />;
}
