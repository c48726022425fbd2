import type { AttemptRecord } from "../deliveries/record";
import { judge } from "../deliveries/verdict";
import { signedHeaders } from "../signing";
import type { AttemptTrigger } from "./queue";
import type { HttpClient } from "./http-client";

export interface AttemptTarget {
  deliveryId: string;
  eventType: string;
  body: string;
  url: string;
  // Valid secrets at send time, newest first; a request carries one signature per secret.
  secrets: readonly string[];
}

// Sent on replays only, so a consumer can tell a manual replay, which is outside per-subject ordering, from a retry.
export const REPLAY_HEADER = "wasviking-replay";

/**
 * Makes one attempt: signs the body with a fresh timestamp and the secrets valid
 * now, sends it and judges the answer. Automatic attempts, replays and test
 * deliveries all go through here, so they are signed and recorded alike.
 */
export async function performAttempt(
  http: HttpClient,
  target: AttemptTarget,
  trigger: AttemptTrigger,
  now: () => Date,
): Promise<AttemptRecord> {
  const startedAt = now();
  if (target.secrets.length === 0) {
    // Happens only when every secret's encryption key was removed from the keyring; the schedule retries.
    const result = {
      kind: "error" as const,
      errorClass: "no_signing_secret" as const,
      detail: "No signing secret could be read, so nothing was sent. An operator must restore the encryption key that protects it",
      durationMs: 0,
    };
    return { deliveryId: target.deliveryId, trigger, url: target.url, startedAt, endedAt: startedAt, requestHeaders: {}, result, verdict: judge(result, startedAt) };
  }
  const headers = signedHeaders({
    deliveryId: target.deliveryId,
    eventType: target.eventType,
    timestamp: Math.floor(startedAt.getTime() / 1000),
    body: target.body,
    secrets: target.secrets,
  });
  if (trigger === "replay") headers[REPLAY_HEADER] = "true";
  const result = await http.send(target.url, headers, target.body);
  const endedAt = new Date(Math.max(now().getTime(), startedAt.getTime()));
  return {
    deliveryId: target.deliveryId,
    trigger,
    url: target.url,
    startedAt,
    endedAt,
    requestHeaders: headers,
    result,
    verdict: judge(result, endedAt),
  };
}
