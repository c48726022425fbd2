import type { Actor } from "../audit";
import { recordAudit } from "../audit";
import type { Scope } from "../auth/principal";
import { generateApiKey } from "../crypto/api-keys";
import { prisma } from "../db";
import { newId } from "../ids";

/** Creates an API key and returns it with its clear-text value, which is never available again. */
export async function createApiKey(
  organizationId: string,
  input: { name: string; scopes: Scope[]; createdByUserId?: string | null },
  actor: Actor,
  now = new Date(),
): Promise<{ id: string; key: string; prefix: string }> {
  const generated = generateApiKey();
  const id = newId("apiKey", now);
  await prisma().$transaction(async (tx) => {
    await tx.apiKey.create({
      data: {
        id,
        organizationId,
        name: input.name,
        prefix: generated.prefix,
        hash: generated.hash,
        scopes: input.scopes,
        createdByUserId: input.createdByUserId ?? null,
        createdAt: now,
      },
    });
    await recordAudit(tx, {
      organizationId,
      actor,
      action: "api_key.created",
      targetType: "api_key",
      targetId: id,
      details: { name: input.name, prefix: generated.prefix, scopes: input.scopes },
      at: now,
    });
  });
  return { id, key: generated.key, prefix: generated.prefix };
}
