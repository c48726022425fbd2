/** Error code next-auth reports when a sign-in is rejected because the account is locked after repeated failures. */
export const ACCOUNT_LOCKED_ERROR = "AccountLocked";
