import { randomBytes } from "node:crypto";
import { createApiKey } from "../../lib/accounts/api-keys";
import { createOrganization, createUser } from "../../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { prisma } from "../../lib/db";

export interface DemoCredentials {
  organizationId: string;
  email: string;
  password: string;
  apiKey: string;
}

export const DEMO_ADMIN_EMAIL = "admin@wasviking.local";

/** Seeds a demo organisation with an admin and an all-scope API key, unless any organisation exists; returns the credentials once. */
export async function seedDemoOrganization(): Promise<DemoCredentials | null> {
  if ((await prisma().organization.count()) > 0) return null;
  const organization = await createOrganization("Demo Security Team");
  const password = randomBytes(12).toString("base64url");
  const admin = await createUser(organization.id, { email: DEMO_ADMIN_EMAIL, name: "Demo Admin", password, role: "admin" });
  const key = await createApiKey(
    organization.id,
    { name: "Demo key (all scopes)", scopes: [...SCOPES], createdByUserId: admin.id },
    SYSTEM_ACTOR,
  );
  return { organizationId: organization.id, email: DEMO_ADMIN_EMAIL, password, apiKey: key.key };
}
