/** What the browser tests' global setup prepared: the server, the database and the seeded accounts. */
export interface E2eState {
  baseUrl: string;
  databaseName: string;
  databaseUrl: string;
  password: string;
  organizationId: string;
  adminEmail: string;
  viewerEmail: string;
  apiKey: string;
  otherOrganizationId: string;
  otherAdminEmail: string;
  otherApiKey: string;
}

/** Reads the state the global setup left in the environment. */
export function e2eState(): E2eState {
  const text = process.env.WVK_E2E_STATE;
  if (!text) throw new Error("WVK_E2E_STATE is missing: run the browser tests with `npm run test:e2e`");
  return JSON.parse(text) as E2eState;
}
