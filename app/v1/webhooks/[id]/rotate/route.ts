import { operations } from "@/lib/api/operations";
import { presentWebhook } from "@/lib/api/presenters";
import type { rotateQuery } from "@/lib/api/schemas";
import { handle, type HandlerContext } from "@/lib/http/handler";
import { rotateSecret } from "@/lib/subscriptions/service";
import type { z } from "zod";

async function rotate({ principal, params, query, now }: HandlerContext<{ id: string }, z.output<typeof rotateQuery>, unknown>) {
  const rotated = await rotateSecret(principal, params.id, now, { expectedCurrentSecretId: query.expected_current_secret });
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
