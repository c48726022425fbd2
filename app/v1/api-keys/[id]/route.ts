import { revokeApiKey } from "@/lib/accounts/api-keys";
import { operations } from "@/lib/api/operations";
import { presentApiKey } from "@/lib/api/presenters";
import { handle } from "@/lib/http/handler";
import { problems } from "@/lib/http/problem";

export const DELETE = handle(operations.revokeApiKey, async ({ principal, params, now }) => {
  const revoked = await revokeApiKey(principal.organizationId, params.id, principal.actor, now);
  if (!revoked) throw problems.notFound(`API key ${params.id}`);
  return presentApiKey(revoked);
});
