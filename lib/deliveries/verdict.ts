import type { SendResult } from "../dispatch/http-client";
import { parseRetryAfter, webhookPauseSeconds } from "../retry-schedule";

/**
 * What one attempt's result means for its delivery: success, a failure that
 * follows the retry schedule, or a failure that ends the delivery at once.
 * Whether a webhook is switched off after 410 Gone responses is decided per
 * delivery, by isGoneForGood.
 */
export interface Verdict {
  succeeded: boolean;
  statusCode: number | null;
  errorClass: string | null;
  detail: string | null;
  retryAfterSeconds: number | null;
  // No further automatic attempt, because the destination is blocked.
  final: boolean;
  // The receiver throttled (429, or 503 with Retry-After): every delivery of the webhook waits this long.
  pauseWebhookSeconds: number | null;
}

/** Judges one attempt's result; `now` anchors HTTP-date Retry-After values. */
export function judge(result: SendResult, now: Date): Verdict {
  if (result.kind === "error") {
    const blocked = result.errorClass === "blocked_destination";
    return {
      succeeded: false,
      statusCode: null,
      errorClass: result.errorClass,
      detail: result.detail,
      retryAfterSeconds: null,
      final: blocked,
      pauseWebhookSeconds: null,
    };
  }
  const { status, headers } = result.response;
  const base = { statusCode: status, retryAfterSeconds: null, final: false, pauseWebhookSeconds: null };
  if (status >= 200 && status < 300) return { ...base, succeeded: true, errorClass: null, detail: null };
  if (status >= 300 && status < 400) {
    const location = headers["location"];
    const target = location ? ` to ${location}` : " without a Location header";
    return {
      ...base,
      succeeded: false,
      errorClass: "redirect",
      detail: `The receiver answered HTTP ${status}, a redirect${target}. Redirects are never followed: set the webhook URL to the address that accepts the POST`,
    };
  }
  if (status === 410) {
    return {
      ...base,
      succeeded: false,
      errorClass: "gone",
      detail:
        "The receiver answered HTTP 410 Gone. It is retried on the normal schedule, and if every attempt gets 410 until the 24-hour retry window ends, the webhook is switched off",
    };
  }
  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(headers["retry-after"], now);
    const raw = headers["retry-after"];
    let hint = "";
    if (raw !== undefined) hint = retryAfterSeconds === null ? ` with an unusable Retry-After "${raw}", so the normal schedule applies` : ` with Retry-After ${raw}`;
    const pauseWebhookSeconds = webhookPauseSeconds(status, retryAfterSeconds);
    const pause = pauseWebhookSeconds === null ? "" : `; the webhook's other deliveries wait ${pauseWebhookSeconds} s`;
    return {
      ...base,
      succeeded: false,
      errorClass: status === 429 ? "throttled" : "http_status",
      detail: `The receiver answered HTTP ${status}${hint}${pause}`,
      retryAfterSeconds,
      pauseWebhookSeconds,
    };
  }
  if (status === 413) {
    return {
      ...base,
      succeeded: false,
      errorClass: "payload_too_large",
      detail: "The receiver answered HTTP 413: the body is larger than it accepts. Retries send the same bytes, so raise its request size limit; the delivery then goes through on its next retry or a replay",
    };
  }
  return { ...base, succeeded: false, errorClass: "http_status", detail: `The receiver answered HTTP ${status}` };
}

/**
 * Decides whether a delivery that was given up at the end of its 24-hour retry
 * window switches its webhook off, from the status codes of all its attempts.
 * Only a 410 Gone on every attempt does. A single 410 is retried like any other
 * failure, because a load balancer or a deploy may respond with 410 for a
 * moment. A 410 that lasted the whole window is the receiver's lasting response.
 */
export function isGoneForGood(statusCodes: readonly (number | null)[]): boolean {
  return statusCodes.length > 0 && statusCodes.every((status) => status === 410);
}
