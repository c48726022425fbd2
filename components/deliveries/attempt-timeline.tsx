"use client";

import { Badge } from "@/components/ui/badge";
import { Countdown } from "@/components/ui/time";
import type { AttemptDetail, DeliveryDetail } from "@/lib/portal/api-client";
import { formatDateTime, formatDuration } from "@/lib/portal/format";
import { HeaderList, InertText } from "./inert-text";

/**
 * The attempts of a delivery, oldest first, each with what was sent and what
 * came back, ending with the next automatic attempt when one is planned.
 */
const TRIGGER_LABELS: Record<AttemptDetail["trigger"], string> = {
  automatic: "Automatic",
  replay: "Replay",
  test: "Test",
};

export function AttemptTimeline({ delivery, onNextAttemptDue }: { delivery: DeliveryDetail; onNextAttemptDue: () => void }) {
  const attempts = delivery.attempt_history;
  if (attempts.length === 0 && !delivery.next_attempt_at) {
    return <p className="text-sm text-slate-600">No attempt has been made yet.</p>;
  }
  return (
    <ol className="space-y-4" aria-label="Attempts">
      {delivery.earlier_attempts > 0 ? (
        <li className="text-sm text-slate-600">
          {delivery.earlier_attempts} earlier {delivery.earlier_attempts === 1 ? "attempt is" : "attempts are"} not shown.
        </li>
      ) : null}
      {attempts.map((attempt, index) => (
        <AttemptEntry key={attempt.id} attempt={attempt} latest={index === attempts.length - 1} />
      ))}
      {delivery.next_attempt_at ? (
        <li className="rounded-lg border border-dashed border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950" data-next-attempt>
          Next automatic attempt in <Countdown deadline={delivery.next_attempt_at} onExpired={onNextAttemptDue} />{" "}
          <span className="text-amber-800">({formatDateTime(delivery.next_attempt_at)})</span>
        </li>
      ) : null}
    </ol>
  );
}

function AttemptEntry({ attempt, latest }: { attempt: AttemptDetail; latest: boolean }) {
  const explanation = attempt.explanation;
  // The stored detail often repeats the explanation or the bare status; it is shown only when it adds something.
  const repeats = attempt.error_detail === explanation.summary || attempt.error_detail === `The receiver answered HTTP ${attempt.response_status}`;
  const detail = attempt.error_detail && !repeats ? attempt.error_detail : null;
  return (
    <li
      className={`rounded-lg border px-4 py-3 ${attempt.succeeded ? "border-emerald-200 bg-emerald-50/40" : "border-red-200 bg-red-50/40"}`}
      data-attempt-number={attempt.number}
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-semibold text-slate-900">Attempt {attempt.number}</span>
        <Badge tone={attempt.trigger === "automatic" ? "slate" : "blue"}>{TRIGGER_LABELS[attempt.trigger]}</Badge>
        <Badge tone={attempt.succeeded ? "green" : "red"}>{explanation.label}</Badge>
        <span className="text-slate-600">
          <time dateTime={attempt.started_at}>{formatDateTime(attempt.started_at)}</time> · {formatDuration(attempt.duration_ms)}
        </span>
      </div>
      <p className="mt-2 text-sm text-slate-800">{explanation.summary}</p>
      {explanation.action ? <p className="mt-1 text-sm text-slate-600">{explanation.action}</p> : null}
      {detail ? (
        <p className="mt-1 text-sm text-slate-600">
          Detail: <span className="break-words">{detail}</span>
        </p>
      ) : null}

      <details className="mt-3" open={latest && !attempt.succeeded}>
        <summary className="cursor-pointer text-sm font-medium text-blue-800">Response</summary>
        <div className="mt-2 space-y-3">
          <AttemptResponse attempt={attempt} />
        </div>
      </details>
      <details className="mt-2">
        <summary className="cursor-pointer text-sm font-medium text-blue-800">Request headers</summary>
        <div className="mt-2 space-y-2">
          <p className="text-xs break-all text-slate-600">
            POST <span className="font-mono">{attempt.url}</span>
          </p>
          <HeaderList headers={attempt.request_headers} label={`Request headers of attempt ${attempt.number}`} />
        </div>
      </details>
    </li>
  );
}

function AttemptResponse({ attempt }: { attempt: AttemptDetail }) {
  if (attempt.response_status === null) {
    return <p className="text-sm text-slate-600">No HTTP response: {attempt.error_class === "blocked_destination" ? "the destination was blocked, so nothing was sent." : "the request did not get that far."}</p>;
  }
  if (attempt.response_omitted === "not_permitted") {
    return (
      <p className="text-sm text-slate-600">
        HTTP {attempt.response_status}. Response headers and bodies are shown only to admins, since they can contain whatever the receiver&apos;s network exposes.
      </p>
    );
  }
  if (attempt.response_omitted === "expired") {
    return <p className="text-sm text-slate-600">HTTP {attempt.response_status}. Response headers and bodies are kept for 30 days; this one has been deleted.</p>;
  }
  return (
    <>
      {attempt.redacted_values > 0 ? (
        <p className="text-sm text-amber-900" data-redacted>
          {attempt.redacted_values === 1 ? "1 value that looks like a credential is" : `${attempt.redacted_values} values that look like credentials are`} hidden as
          [REDACTED].
        </p>
      ) : null}
      {attempt.response_headers ? <HeaderList headers={attempt.response_headers} label={`Response headers of attempt ${attempt.number}`} /> : null}
      <InertText text={attempt.response_body ?? ""} label={`Response body${attempt.response_body_truncated ? " (first 64 KiB; the receiver sent more)" : ""}`} copyLabel="Copy response" />
    </>
  );
}
