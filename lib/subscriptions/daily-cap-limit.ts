import { maxDailyCap } from "../config";

/**
 * Explains why a daily cap is above the deployment's maximum
 * (WVK_MAX_DAILY_CAP), or returns null. The request schemas and the webhook
 * service both apply it, so a cap of any size gets this one message.
 */
export function dailyCapLimitProblem(dailyCap: number, maximum: number = maxDailyCap()): string | null {
  if (dailyCap <= maximum) return null;
  return `The daily cap can be at most ${maximum.toLocaleString("en-US")} deliveries on this deployment (WVK_MAX_DAILY_CAP)`;
}
