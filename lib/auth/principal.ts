import type { Actor } from "../audit";

/**
 * Who is calling, for which organisation, and what they may do. API keys carry
 * the scopes chosen when they were created; portal sessions get the scopes of
 * the user's role.
 */
export const SCOPES = ["webhooks:read", "webhooks:write", "events:publish", "audit:read"] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "webhooks:read": "Read webhooks, deliveries and usage",
  "webhooks:write": "Create, change and delete webhooks; rotate secrets; send tests; replay deliveries",
  "events:publish": "Publish platform events (for producers inside the platform)",
  "audit:read": "Read the audit log: who changed webhooks, secrets and API keys, and portal sign-ins",
};

export type Role = "admin" | "viewer";

export interface Principal {
  organizationId: string;
  actor: Actor;
  via: "api_key" | "session";
  scopes: ReadonlySet<Scope>;
  // Portal sessions only.
  role?: Role;
  userId?: string;
}

/**
 * Scopes of a portal user: admins manage everything and read the audit log,
 * viewers only read webhooks and deliveries.
 */
export function scopesOfRole(role: Role): ReadonlySet<Scope> {
  return new Set<Scope>(role === "admin" ? ["webhooks:read", "webhooks:write", "audit:read"] : ["webhooks:read"]);
}
