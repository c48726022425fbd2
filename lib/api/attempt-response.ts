import type { ManualAttemptResult } from "../deliveries/manual-attempts";
import { redactText } from "../deliveries/secret-redaction";

/**
 * Maps the outcome of a test delivery or replay to its API shape. Credentials
 * in the body and detail are hidden, as in the deliveries inspector
 * (lib/api/delivery-inspector.ts).
 */
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
      error_detail: record.verdict.detail === null ? null : redactText(record.verdict.detail).value,
      response_body: response ? redactText(response.body).value : null,
      response_body_truncated: response?.bodyTruncated ?? false,
    },
  };
}
