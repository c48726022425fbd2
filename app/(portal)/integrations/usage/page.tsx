import type { Metadata } from "next";
import { UsageOverviewPage } from "@/components/usage/usage-overview-page";

export const metadata: Metadata = { title: "Webhook usage · WASViking" };

export default function UsagePage() {
  return <UsageOverviewPage />;
}
