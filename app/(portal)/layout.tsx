import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { PortalShell } from "@/components/shell/portal-shell";
import { PortalProviders } from "@/components/shell/providers";
import { currentPortalUser } from "@/lib/auth/current-user";
import { destinationPolicy } from "@/lib/subscriptions/destination-policy";

// Every signed-in page: the user is read from the database per request, so a revoked session or a removed user lands on the sign-in page.
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await currentPortalUser();
  if (!user) redirect("/login");
  const context = {
    user: { name: user.name, email: user.email, role: user.role, organizationName: user.organizationName },
    allowPrivateDestinations: destinationPolicy().allowPrivate,
  };
  return (
    <PortalProviders context={context}>
      <PortalShell>{children}</PortalShell>
    </PortalProviders>
  );
}
