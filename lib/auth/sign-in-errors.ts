/** Error code next-auth reports when a sign-in is rejected because the account is locked after repeated failures. */
export const ACCOUNT_LOCKED_ERROR = "AccountLocked";

/** Error code next-auth reports when a sign-in is refused because its address sent too many wrong passwords. */
export const SOURCE_THROTTLED_ERROR = "SourceThrottled";
