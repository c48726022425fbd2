/**
 * The page a user lands on after sign-in. Only a path of this portal
 * is accepted, so a crafted sign-in link cannot forward someone to another
 * site (an open redirect) or back into the sign-in endpoints.
 */
export const DEFAULT_AFTER_SIGN_IN = "/integrations/webhooks";

const PLACEHOLDER_ORIGIN = "https://portal.invalid";

/** Returns `value` when it is a same-origin path outside the sign-in endpoints, else the default page. */
export function safeCallbackPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return DEFAULT_AFTER_SIGN_IN;
  if (/[\u0000-\u001f\u007f]/.test(value)) return DEFAULT_AFTER_SIGN_IN;
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return DEFAULT_AFTER_SIGN_IN;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return DEFAULT_AFTER_SIGN_IN;
  if (url.pathname === "/login" || url.pathname.startsWith("/api/")) return DEFAULT_AFTER_SIGN_IN;
  return url.pathname + url.search + url.hash;
}
