import { cookies } from "next/headers";
import { currentTime } from "../clock";
import type { PortalUser } from "./portal-sessions";
import { portalUserFromCookies } from "./session-auth";

/** Returns the user signed in to the portal for the page being rendered, or null (server components only). */
export async function currentPortalUser(): Promise<PortalUser | null> {
  const store = await cookies();
  const jar = new Map(store.getAll().map((cookie) => [cookie.name, cookie.value] as const));
  return portalUserFromCookies(jar, currentTime());
}
