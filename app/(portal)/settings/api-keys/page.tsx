import type { Metadata } from "next";
import { ApiKeysPage } from "@/components/api-keys/api-keys-page";

export const metadata: Metadata = { title: "API keys · WASViking" };

export default function ApiKeysRoute() {
  return <ApiKeysPage />;
}
