import type { Role } from "../auth/principal";
import { hashPassword } from "../crypto/passwords";
import { prisma } from "../db";
import { newId } from "../ids";

/** Creates an organisation (a tenant). */
export async function createOrganization(name: string, now = new Date()): Promise<{ id: string }> {
  const id = newId("organization", now);
  await prisma().organization.create({ data: { id, name, createdAt: now } });
  return { id };
}

/** Creates a portal user; the email is stored lower-cased and must be unique. */
export async function createUser(
  organizationId: string,
  input: { email: string; name: string; password: string; role: Role },
  now = new Date(),
): Promise<{ id: string }> {
  const id = newId("user", now);
  await prisma().user.create({
    data: {
      id,
      organizationId,
      email: input.email.trim().toLowerCase(),
      name: input.name,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      createdAt: now,
    },
  });
  return { id };
}
