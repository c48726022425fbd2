import { createApiKey, getApiKey, listApiKeys } from "@/lib/accounts/api-keys";
import { operations } from "@/lib/api/operations";
import { presentApiKey } from "@/lib/api/presenters";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.listApiKeys, async ({ principal, query }) => {
  const page = await listApiKeys(principal.organizationId, query);
  return { data: page.items.map(presentApiKey), next_cursor: page.nextCursor };
});

export const POST = handle(operations.createApiKey, async ({ principal, body, now }) => {
  const created = await createApiKey(
    principal.organizationId,
    { name: body.name, scopes: body.scopes, createdByUserId: principal.userId ?? null },
    principal.actor,
    now,
  );
  const stored = await getApiKey(principal.organizationId, created.id);
  return { ...presentApiKey(stored!), key: created.key };
});
