/** Error code next-auth reports when the account rejects passwords from this address after repeated wrong ones from it. */
export const ADDRESS_LOCKED_ERROR = "AccountLockedForAddress";

/** Error code next-auth reports when the account rejects passwords from new addresses after too many wrong ones from all. */
export const ACCOUNT_LOCKED_ERROR = "AccountLocked";

/** Error code next-auth reports when a sign-in is refused because its address sent too many wrong passwords. */
export const SOURCE_THROTTLED_ERROR = "SourceThrottled";
