import { createApiKey } from "../../lib/accounts/api-keys";
import { createOrganization } from "../../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { type Scope, SCOPES } from "../../lib/auth/principal";

export interface Tenant {
  organizationId: string;
  apiKey: string;
  apiKeyId: string;
}

/** Creates an organisation with an API key of the given scopes (all by default). */
export async function createTenant(name = "Test Security Team", scopes: Scope[] = [...SCOPES]): Promise<Tenant> {
  const organization = await createOrganization(name);
  const key = await createApiKey(organization.id, { name: "test key", scopes }, SYSTEM_ACTOR);
  return { organizationId: organization.id, apiKey: key.key, apiKeyId: key.id };
}
