/**
 * Runs once when a Next.js server starts. The web app serves the inspector, so
 * it also enforces how long receivers' responses are kept: an hourly purge
 * deletes the expired ones (lib/deliveries/response-retention.ts). Several web
 * processes take turns through an advisory lock.
 */
export async function register(): Promise<void> {
  // The edge runtime has no database driver; only the Node.js server purges.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { schedulePurgeOfExpiredResponses } = await import("./lib/deliveries/response-retention");
  schedulePurgeOfExpiredResponses();
}
