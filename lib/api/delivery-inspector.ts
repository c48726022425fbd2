import type { Principal } from "../auth/principal";
import { explainAttempt } from "../deliveries/attempt-explanations";
import type { DeliveryFilters } from "../deliveries/delivery-filters";
import { type AttemptRow, type DeliveryDetailRow, presentDelivery } from "../deliveries/queries";
import { isResponseExpired } from "../deliveries/response-retention";
import { redactHeaders, redactText } from "../deliveries/secret-redaction";
import type { DeliveryListQuery } from "./schemas";

/**
 * Maps between the deliveries inspector's API shapes and the delivery reads:
 * query parameters to filters, and a delivery with its attempts to the detail
 * response. Everything a receiver sent back passes through here, so this is
 * where retention, permission and redaction apply to API responses.
 */
export function filtersOfQuery(query: DeliveryListQuery): DeliveryFilters {
  return {
    statuses: query.status,
    eventTypes: query.event_type,
    subject: query.subject,
    deliveryId: query.delivery_id,
    eventId: query.event_id,
    createdAfter: query.created_after,
    createdBefore: query.created_before,
  };
}

/**
 * Tells whether the caller may read receivers' responses. Response bodies can
 * carry whatever the receiver's network exposes, so only those who can manage
 * the webhook (the webhooks:write scope of admins and write keys) see them.
 */
export function canReadResponses(principal: Principal): boolean {
  return principal.scopes.has("webhooks:write");
}

function presentAttempt(attempt: AttemptRow, options: { canReadResponses: boolean; now: Date }) {
  const answered = attempt.response_status !== null;
  let omitted: "expired" | "not_permitted" | null = null;
  if (answered && !options.canReadResponses) omitted = "not_permitted";
  else if (answered && isResponseExpired(attempt.started_at, options.now)) omitted = "expired";

  const headers = omitted || !attempt.response_headers ? null : redactHeaders(attempt.response_headers);
  const body = omitted || attempt.response_body === null ? null : redactText(attempt.response_body);
  const redactedDetail = attempt.error_detail === null ? null : redactText(attempt.error_detail).value;
  return {
    id: attempt.id,
    number: attempt.number,
    trigger: attempt.trigger,
    started_at: attempt.started_at,
    duration_ms: attempt.duration_ms,
    succeeded: attempt.succeeded,
    response_status: attempt.response_status,
    error_class: attempt.error_class,
    error_detail: redactedDetail,
    url: attempt.url,
    request_headers: attempt.request_headers,
    response_headers: headers?.value ?? null,
    response_body: body?.value ?? null,
    response_body_truncated: omitted ? false : attempt.response_body_truncated,
    response_omitted: omitted,
    redacted_values: (headers?.count ?? 0) + (body?.count ?? 0),
    explanation: explainAttempt({
      succeeded: attempt.succeeded,
      statusCode: attempt.response_status,
      errorClass: attempt.error_class,
      // An explanation quotes only Location and Retry-After, which error_detail names to every reader anyway.
      responseHeaders: attempt.response_headers ? redactHeaders(attempt.response_headers).value : null,
    }),
  };
}

/** Maps a delivery with its attempts to the detail response. */
export function presentDeliveryDetail(detail: DeliveryDetailRow, options: { canReadResponses: boolean; now: Date }) {
  return {
    ...presentDelivery(detail),
    first_attempt_at: detail.first_attempt_at,
    waiting_for: detail.waiting_for,
    body: detail.body,
    attempt_history: detail.attempts.map((attempt) => presentAttempt(attempt, options)),
    earlier_attempts: Math.max(0, detail.attempt_count - detail.attempts.length),
  };
}
