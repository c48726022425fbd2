"use client";

import { createContext, type ReactNode, useContext } from "react";
import type { Role } from "@/lib/auth/principal";

/**
 * The signed-in user and the deployment settings every portal page needs. The server layout reads it per request; the API still
 * checks every call, so hiding a control here is for clarity, not security.
 */
export interface PortalContextValue {
  user: { name: string; email: string; role: Role; organizationName: string };
  // Whether webhooks may target loopback, private addresses and plain http (development deployments only).
  allowPrivateDestinations: boolean;
}

const PortalContext = createContext<PortalContextValue | null>(null);

export function PortalContextProvider({ value, children }: { value: PortalContextValue; children: ReactNode }) {
  return <PortalContext.Provider value={value}>{children}</PortalContext.Provider>;
}

/** Returns the signed-in user and deployment settings. */
export function usePortal(): PortalContextValue {
  const value = useContext(PortalContext);
  if (!value) throw new Error("usePortal must be called inside <PortalContextProvider>");
  return value;
}

/** Tells whether the signed-in user may change things (admins) or only read them (viewers). */
export function useCanManage(): boolean {
  return usePortal().user.role === "admin";
}
