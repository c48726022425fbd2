"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { AttemptResult } from "@/lib/portal/api-client";
import { AttemptResultDialog } from "./attempt-result-dialog";
import { useSendTestEvent } from "./mutations";

/**
 * "Send test event": a webhook.test delivery made while the admin waits,
 * signed and recorded like a real one, followed by a dialog with the
 * endpoint's response.
 */
export function SendTestEventButton({ webhookId }: { webhookId: string }) {
  const send = useSendTestEvent(webhookId);
  const [result, setResult] = useState<AttemptResult | null>(null);
  return (
    <>
      <Button onClick={() => send.mutate(undefined, { onSuccess: setResult })} pending={send.isPending} pendingLabel="Sending test event…">
        Send test event
      </Button>
      {result ? (
        <AttemptResultDialog
          result={result}
          title={result.attempt.succeeded ? "Test event delivered" : "Test event not accepted"}
          description={
            result.attempt.succeeded
              ? "Your endpoint accepted the webhook.test event. Check that your receiver verified its signature."
              : "WASViking sent a webhook.test event, but your endpoint did not accept it. Test events are not retried."
          }
          onClose={() => setResult(null)}
        />
      ) : null}
    </>
  );
}
