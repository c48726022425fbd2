import { operations } from "@/lib/api/operations";
import { presentWebhook } from "@/lib/api/presenters";
import { handle, type HandlerContext } from "@/lib/http/handler";
import { rotateSecret } from "@/lib/subscriptions/service";

async function rotate({ principal, params, now }: HandlerContext<{ id: string }, unknown, unknown>) {
  const rotated = await rotateSecret(principal, params.id, now);
  return {
    secret: rotated.secret,
    secret_id: rotated.secretId,
    fingerprint: rotated.fingerprint,
    secrets: presentWebhook(rotated.subscription, rotated.rotatedAt).secrets,
    revoked_secrets: rotated.revokedEarly.map((secret) => ({
      id: secret.id,
      fingerprint: secret.fingerprint,
      revoked_at: rotated.rotatedAt,
      expires_at: secret.expiresAt,
    })),
  };
}

export const GET = handle(operations.rotateSecretGet, rotate);
export const POST = handle(operations.rotateSecret, rotate);
