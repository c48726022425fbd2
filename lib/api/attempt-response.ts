import type { ManualAttemptResult } from "../deliveries/manual-attempts";

/** Maps the outcome of a test delivery or replay to its API shape. */
export function presentAttemptResult(result: ManualAttemptResult) {
  const { record, attempt } = result;
  const response = record.result.kind === "response" ? record.result.response : null;
  return {
    delivery_id: result.deliveryId,
    event_id: result.eventId,
    attempt: {
      id: attempt.id,
      number: attempt.number,
      trigger: record.trigger,
      started_at: record.startedAt,
      duration_ms: record.result.durationMs,
      succeeded: record.verdict.succeeded,
      response_status: record.verdict.statusCode,
      error_class: record.verdict.errorClass,
      error_detail: record.verdict.detail,
      response_body: response?.body ?? null,
      response_body_truncated: response?.bodyTruncated ?? false,
    },
  };
}
