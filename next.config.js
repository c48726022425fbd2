// Headers every response carries. No other site may frame the portal (it shows
// secrets and destructive buttons), guess content types or read its URLs.
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];

// JSON responses are never documents, so they may load and run nothing. Pages get
// their policy, with a fresh script nonce, from proxy.ts.
const apiPolicy = [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }];

/**
 * Next.js settings of the portal and REST API. Server-only packages with
 * native parts or dynamic requires stay outside the bundle.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ["pg", "pg-boss", "pino", "undici", "@prisma/adapter-pg"],
  typedRoutes: false,
  // `next dev` would otherwise write a generated AGENTS.md into the working tree when it finds a coding
  // assistant's variables in its environment.
  agentRules: false,
  // Next.js 16.5 `next dev` also writes upgrade instructions into AGENTS.md on every start, whatever the environment.
  experimental: { agentUpgrade: false },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/v1/:path*", headers: apiPolicy },
      { source: "/api/:path*", headers: apiPolicy },
    ];
  },
};

export default nextConfig;
