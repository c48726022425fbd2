/**
 * Builds the Content Security Policy of portal pages. Scripts run only when they come
 * from this origin or carry the nonce of the response that served them, so an
 * injected <script> or event-handler attribute never runs, even if some text
 * reached the page unescaped. Styles allow inline attributes: the charts set
 * style attributes at run time, and CSS cannot run code.
 */
export function contentSecurityPolicy(options: { nonce: string; development: boolean }): string {
  // The development server evaluates modules for fast refresh; production never needs eval.
  const scripts = ["'self'", `'nonce-${options.nonce}'`, "'strict-dynamic'", ...(options.development ? ["'unsafe-eval'"] : [])];
  const directives: Array<[string, string[]]> = [
    ["default-src", ["'self'"]],
    ["script-src", scripts],
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", ["'self'", "data:", "blob:"]],
    ["font-src", ["'self'"]],
    ["connect-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'none'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(" ")}`).join("; ");
}

/** Generates a fresh nonce: 128 random bits in base64, as CSP expects. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
