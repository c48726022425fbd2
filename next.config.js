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
};

export default nextConfig;
