"use client";

import { useRef } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { AttemptResult } from "@/lib/portal/api-client";
import { formatDuration } from "@/lib/portal/format";

/**
 * The outcome of an attempt made on request (a test event or a replay): the
 * endpoint's status, the error if any, the duration, and the first part of the
 * response body as plain text, never rendered as HTML or links.
 */
export function AttemptResultDialog({ result, title, description, onClose }: { result: AttemptResult; title: string; description: string; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  const attempt = result.attempt;
  return (
    <Dialog
      title={title}
      size="lg"
      onDismiss={onClose}
      initialFocus={close}
      description={description}
      footer={
        <Button ref={close} tone="primary" onClick={onClose}>
          Close
        </Button>
      }
    >
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm" data-attempt-result>
        <dt className="text-slate-500">Outcome</dt>
        <dd>{attempt.succeeded ? <Badge tone="green">Succeeded</Badge> : <Badge tone="red">Failed</Badge>}</dd>
        <dt className="text-slate-500">Response</dt>
        <dd>{attempt.response_status !== null ? `HTTP ${attempt.response_status}` : "No HTTP answer"}</dd>
        {attempt.error_class ? (
          <>
            <dt className="text-slate-500">Error</dt>
            <dd>
              <code className="font-mono">{attempt.error_class}</code>
              {attempt.error_detail ? <span className="block text-slate-700">{attempt.error_detail}</span> : null}
            </dd>
          </>
        ) : null}
        <dt className="text-slate-500">Duration</dt>
        <dd>{formatDuration(attempt.duration_ms)}</dd>
        <dt className="text-slate-500">Delivery</dt>
        <dd>
          <code className="font-mono break-all">{result.delivery_id}</code>
        </dd>
      </dl>
      {attempt.response_body ? (
        <div className="mt-4">
          <p className="text-sm font-medium text-slate-800">
            Response body{attempt.response_body_truncated ? " (first part only)" : ""}
          </p>
          <pre className="mt-1 max-h-60 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs break-all whitespace-pre-wrap text-slate-100">{attempt.response_body}</pre>
        </div>
      ) : null}
    </Dialog>
  );
}
