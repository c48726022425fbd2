import { visibleErrorDetail } from "../deliveries/attempt-explanations";
import type { ManualAttemptResult } from "../deliveries/manual-attempts";
import { redactText } from "../deliveries/secret-redaction";

/**
 * Maps the outcome of a test delivery or replay to its API shape. The body is
 * redacted and a blocked destination's reason made generic, as in the
 * deliveries inspector (lib/api/delivery-inspector.ts).
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
      error_detail: visibleErrorDetail(record.verdict.errorClass, record.verdict.detail),
      response_body: response ? redactText(response.body).value : null,
      response_body_truncated: response?.bodyTruncated ?? false,
    },
  };
}
