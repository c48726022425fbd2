import { operations } from "@/lib/api/operations";
import { presentWebhook } from "@/lib/api/presenters";
import { handle } from "@/lib/http/handler";
import { revokeSecret } from "@/lib/subscriptions/service";

export const DELETE = handle(operations.revokeSecret, async ({ principal, params, now }) => ({
  secrets: presentWebhook(await revokeSecret(principal, params.id, params.secretId, now), now).secrets,
}));
