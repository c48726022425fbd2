import type { ReactNode } from "react";
import { DeliveriesInspector } from "@/components/deliveries/deliveries-inspector";

// The list stays mounted while a delivery's panel opens and closes over it, so its filters and pages are kept.
export default async function DeliveriesLayout({ params, children }: { params: Promise<{ id: string }>; children: ReactNode }) {
  const { id } = await params;
  return (
    <>
      <DeliveriesInspector webhookId={id} />
      {children}
    </>
  );
}
