/**
 * Hides values that look like credentials in receivers' responses, before the
 * inspector shows them. Receivers sometimes echo tokens, session cookies or
 * keys in error pages; a security team's portal should not spread them to
 * everyone who can read deliveries. This is pattern matching: it hides the
 * common forms (bearer tokens, JWTs, well-known key prefixes, private keys,
 * passwords in URLs, and values of fields named like secrets), not every
 * secret a body could hold.
 */
export const REDACTED = "[REDACTED]";

export interface Redacted<T> {
  value: T;
  // How many values were hidden.
  count: number;
}

// Words that mark a field, parameter or header as holding a credential.
const SECRET_NAME = String.raw`(?:secret|token|passw(?:or)?d|passwd|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|authorization|session[_-]?id|cookie)`;
const SECRET_NAME_PATTERN = new RegExp(SECRET_NAME, "i");
// Every repetition in the patterns is bounded, so a hostile 64 KiB body costs linear time.
const MAX_NAME = 64;

// Random-looking: a digit, both letter cases, or a base64 or token punctuation character. Plain words have none of these.
function looksLikeCredential(value: string): boolean {
  return /\d/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value)) || /[._~+/=-]/.test(value);
}

interface Rule {
  pattern: RegExp;
  // Builds the replacement from the match's groups; the default hides the whole match.
  replace?: (match: string, ...groups: string[]) => string;
}

const RULES: Rule[] = [
  // PEM private keys, whole block.
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  // JSON Web Tokens: three base64url parts, the first of which decodes to a JSON object.
  { pattern: /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g },
  // Credentials in an Authorization-style value: keep the scheme, hide the rest. Schemes are matched as
  // HTTP writes them, and the value must look like a credential, so prose such as "Basic configuration" stays.
  {
    pattern: /\b(Bearer|bearer|BEARER|Basic|BASIC|Token|ApiKey|Digest)(\s+)([A-Za-z0-9._~+/=-]{8,})/g,
    replace: (match, scheme: string, space: string, credential: string) => {
      // A sentence's full stop is not part of the credential.
      const core = credential.replace(/\.+$/, "");
      if (core.length < 8 || !looksLikeCredential(core)) return match;
      return `${scheme}${space}${REDACTED}${credential.slice(core.length)}`;
    },
  },
  // Well-known key formats, recognisable by their prefix.
  {
    pattern: new RegExp(
      [
        String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`, // AWS access key ids
        String.raw`\bgh[pousr]_[A-Za-z0-9]{30,}`, // GitHub tokens
        String.raw`\bgithub_pat_[A-Za-z0-9_]{20,}`,
        String.raw`\bglpat-[A-Za-z0-9_-]{20,}`, // GitLab
        String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`, // Slack
        String.raw`\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}`, // Stripe
        String.raw`\bAIza[0-9A-Za-z_-]{35}`, // Google API keys
        String.raw`\bnpm_[A-Za-z0-9]{36}`,
        String.raw`\bsk-[A-Za-z0-9_-]{20,}`,
        String.raw`\bwhsec_[A-Za-z0-9+/=]{16,}`, // Standard Webhooks signing secrets, ours included
        String.raw`\bwvk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}\b`, // WASViking API keys
      ].join("|"),
      "g",
    ),
  },
  // Passwords in URLs: scheme://user:password@host.
  {
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/"']{1,256}:)([^\s@/"']{1,256})@/gi,
    replace: (_match, prefix: string) => `${prefix}${REDACTED}@`,
  },
  // JSON string fields named like secrets: "client_secret": "…".
  {
    pattern: new RegExp(String.raw`("[^"\\]{0,${MAX_NAME}}${SECRET_NAME}[^"\\]{0,${MAX_NAME}}"\s*:\s*")((?:[^"\\]|\\.)+)(")`, "gi"),
    replace: (_match, before: string, _value: string, after: string) => `${before}${REDACTED}${after}`,
  },
  // XML elements named like secrets: <password>…</password>.
  {
    pattern: new RegExp(String.raw`(<([\w:.-]{0,${MAX_NAME}}${SECRET_NAME}[\w:.-]{0,${MAX_NAME}})>)([^<]+)(</\2>)`, "gi"),
    replace: (_match, open: string, _name: string, _value: string, close: string) => `${open}${REDACTED}${close}`,
  },
  // name=value pairs named like secrets, as in form bodies, query strings and logs. The name is checked in
  // the callback rather than in the pattern, which would otherwise backtrack quadratically over long words.
  {
    pattern: new RegExp(String.raw`([\w.-]{1,${MAX_NAME}}=)([^\s&;,"'<>]*)`, "g"),
    replace: (match, name: string, value: string) =>
      value.length >= 4 && value !== REDACTED && SECRET_NAME_PATTERN.test(name) ? `${name}${REDACTED}` : match,
  },
];

/** Hides credential-like values in a text, such as a response body or a header value. */
export function redactText(text: string): Redacted<string> {
  let count = 0;
  let value = text;
  for (const rule of RULES) {
    value = value.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      // A value hidden by an earlier rule is not counted twice.
      if (match === REDACTED || match.endsWith(`=${REDACTED}`)) return match;
      const groups = rest.slice(0, -2) as string[];
      const replacement = rule.replace ? rule.replace(match, ...groups) : REDACTED;
      if (replacement !== match) count += 1;
      return replacement;
    });
  }
  return { value, count };
}

// Headers whose whole value is a credential.
const SECRET_HEADER = new RegExp(String.raw`^(?:set-cookie|cookie|proxy-authorization|x-amz-security-token|.*${SECRET_NAME}.*)$`, "i");
// Headers that name an authentication scheme without carrying a credential.
const PUBLIC_HEADERS = new Set(["www-authenticate", "proxy-authenticate"]);

/** Hides credential-carrying headers entirely, and credential-like values inside the others. */
export function redactHeaders(headers: Record<string, string>): Redacted<Record<string, string>> {
  let count = 0;
  const value: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(headers)) {
    if (SECRET_HEADER.test(name) && !PUBLIC_HEADERS.has(name.toLowerCase()) && headerValue !== "") {
      value[name] = REDACTED;
      count += 1;
      continue;
    }
    const redacted = redactText(headerValue);
    value[name] = redacted.value;
    count += redacted.count;
  }
  return { value, count };
}
