import type { Metadata } from "next";
import { DeliveryPanel } from "@/components/deliveries/delivery-panel";

export const metadata: Metadata = { title: "Delivery · WASViking" };

export default async function DeliveryPage({ params }: { params: Promise<{ id: string; deliveryId: string }> }) {
  const { id, deliveryId } = await params;
  return <DeliveryPanel webhookId={id} deliveryId={deliveryId} />;
}
