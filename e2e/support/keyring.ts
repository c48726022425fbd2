/** The encryption keyring of the browser tests' database, for the server, the worker and the helper scripts alike. */
export const E2E_KEYRING = "e2e:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
