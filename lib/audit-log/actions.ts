/**
 * Every action the audit trail records, with the label the portal shows for
 * it. recordAudit() accepts only these names, and the audit log API validates
 * its action filter against them, so a new action is added here first.
 * Pure data: the portal's browser bundle imports it too.
 */
export const AUDIT_ACTIONS = {
  "webhook.created": "Webhook created, signing secret revealed",
  "webhook.updated": "Webhook changed",
  "webhook.enabled": "Webhook enabled",
  "webhook.disabled": "Webhook disabled",
  "webhook.daily_cap_changed": "Daily cap changed",
  "webhook.deleted": "Webhook deleted",
  "webhook.secret_rotated": "Signing secret rotated, new secret revealed",
  "webhook.secret_revoked": "Old signing secret revoked",
  "webhook.test_sent": "Test event sent",
  "delivery.replayed": "Delivery replayed",
  "webhook.cap_warning": "80 % of the daily cap used",
  "webhook.cap_reached": "Daily cap reached",
  "webhook.held_deliveries_released": "Held deliveries released",
  "webhook.held_deliveries_expired": "Held deliveries given up",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "user.signed_in": "Signed in",
  "user.sign_in_failed": "Sign-in failed: wrong password",
  "user.sign_in_locked": "Sign-in rejected: account locked",
  "user.sign_in_unlocked": "Sign-in locks cleared",
  "user.signed_out": "Signed out",
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];

/** Returns the readable label of an action, or the action itself for one this version does not know. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}
