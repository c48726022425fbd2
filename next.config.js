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
  // The portal shows secrets and destructive buttons: no other site may frame it (clickjacking), sniff types or read its URLs.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
