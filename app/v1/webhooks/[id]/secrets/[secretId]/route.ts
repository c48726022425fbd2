import { operations } from "@/lib/api/operations";
import { presentWebhook } from "@/lib/api/presenters";
import { handle } from "@/lib/http/handler";
import { revokeSecret } from "@/lib/subscriptions/service";

export const DELETE = handle(operations.revokeSecret, async ({ principal, params, now }) => {
  const { revoked, subscription } = await revokeSecret(principal, params.id, params.secretId, now);
  return {
    revoked_secret: {
      id: revoked.id,
      fingerprint: revoked.fingerprint,
      outcome: revoked.outcome,
      revoked_at: revoked.revokedAt,
      expires_at: revoked.expiresAt,
    },
    secrets: presentWebhook(subscription, now).secrets,
  };
});
