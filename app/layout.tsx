import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "WASViking · Webhooks",
  description: "Signed webhook deliveries of WASViking security events",
};

// Every page is rendered per request: its scripts carry the nonce that
// proxy.ts put in this response's Content Security Policy.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  );
}
