/** Settings every integration test runs with: a fixed test keyring and loopback receivers allowed. */
export const TEST_ENVIRONMENT = {
  WVK_ENCRYPTION_KEYS: "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  WVK_ALLOW_PRIVATE_DESTINATIONS: "1",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};
