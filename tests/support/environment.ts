/** Settings every integration test runs with: a fixed test keyring, a session secret and loopback receivers allowed. */
export const TEST_ENVIRONMENT = {
  NEXTAUTH_SECRET: "integration-test-session-secret-0123456789abcdef",
  NEXTAUTH_URL: "http://localhost:3000",
  WVK_ENCRYPTION_KEYS: "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  WVK_ALLOW_PRIVATE_DESTINATIONS: "1",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};
