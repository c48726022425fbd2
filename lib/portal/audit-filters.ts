import { AUDIT_ACTION_NAMES, AUDIT_ACTIONS, type AuditAction } from "../audit-log/actions";

/**
 * The audit log page's filters, kept in the page's URL so a filtered view can
 * be shared and survives a reload, and their translation into the query of
 * GET /v1/audit-log. Pure, so the same URL always requests the same entries.
 */
export interface AuditFilters {
  // One action, or a group of several joined by commas; empty for all.
  action: string;
  // A user id, an API key id or "system"; empty for anyone.
  actor: string;
  // A webhook, delivery, API key or user id; empty for any.
  targetId: string;
  // ISO 8601 times: from is inclusive, to exclusive.
  from: string;
  to: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { action: "", actor: "", targetId: "", from: "", to: "" };

/** Choices of the action filter: groups that answer common questions first, then every action on its own. */
export const AUDIT_ACTION_CHOICES: ReadonlyArray<{ value: string; label: string }> = [
  { value: "webhook.created,webhook.secret_rotated", label: "Signing secrets revealed" },
  { value: "webhook.enabled,webhook.disabled", label: "Webhooks enabled or disabled" },
  { value: "user.signed_in,user.sign_in_failed,user.sign_in_locked,user.sign_in_unlocked", label: "Sign-ins and failed sign-ins" },
  { value: "api_key.created,api_key.revoked", label: "API keys created or revoked" },
  ...AUDIT_ACTION_NAMES.map((action: AuditAction) => ({ value: action, label: AUDIT_ACTIONS[action] })),
];

const URL_NAMES: Record<keyof AuditFilters, string> = { action: "action", actor: "actor", targetId: "target_id", from: "from", to: "to" };

/** Reads the filters from a page URL's query; missing values read as no filter, and times that do not parse are dropped. */
export function auditFiltersFromSearchParams(params: URLSearchParams): AuditFilters {
  const time = (value: string | null) => (value !== null && !Number.isNaN(new Date(value).getTime()) ? value : "");
  return {
    action: params.get(URL_NAMES.action) ?? "",
    actor: params.get(URL_NAMES.actor) ?? "",
    targetId: params.get(URL_NAMES.targetId) ?? "",
    from: time(params.get(URL_NAMES.from)),
    to: time(params.get(URL_NAMES.to)),
  };
}

/** Writes the filters as a page URL's query, leaving out empty ones. */
export function searchParamsOfAuditFilters(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(URL_NAMES) as Array<keyof AuditFilters>) {
    const value = filters[key].trim();
    if (value !== "") params.set(URL_NAMES[key], value);
  }
  return params;
}

const ACTOR = /^(system|(usr|key)_[0-9A-HJKMNP-TV-Z]{26})$/;
const TARGET = /^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Tells whether any filter is set. */
export function hasAuditFilters(filters: AuditFilters): boolean {
  return Object.values(filters).some((value) => value !== "");
}

/**
 * Returns the API query of the filters, or the reason they cannot be applied,
 * worded for the person who typed them.
 */
export function auditQueryOfFilters(filters: AuditFilters): { query: Record<string, string> } | { error: string } {
  const actor = filters.actor.trim();
  const targetId = filters.targetId.trim();
  if (actor !== "" && !ACTOR.test(actor)) return { error: "Actor: enter a user id (usr_…), an API key id (key_…) or system." };
  if (targetId !== "" && !TARGET.test(targetId)) return { error: "Target: enter an id such as wh_…, dlv_…, key_… or usr_…." };
  if (filters.from !== "" && filters.to !== "" && new Date(filters.from) >= new Date(filters.to)) {
    return { error: "The end of the date range must be later than its start." };
  }
  const query: Record<string, string> = {};
  if (filters.action !== "") query.action = filters.action;
  if (actor !== "") query.actor = actor;
  if (targetId !== "") query.target_id = targetId;
  if (filters.from !== "") query.from = filters.from;
  if (filters.to !== "") query.to = filters.to;
  return { query };
}
