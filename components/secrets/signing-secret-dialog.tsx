"use client";

import { RevealOnceDialog, type RevealedValue } from "./reveal-once-dialog";

export const VERIFYING_SIGNATURES_DOCS = "/docs/events#verifying-signatures";

/** The reveal-once dialog of a webhook's signing secret, with how receivers use it. */
export function SigningSecretDialog({ title, revealed, onClose }: { title: string; revealed: RevealedValue; onClose: () => void }) {
  return (
    <RevealOnceDialog title={title} noun="signing secret" labelName="Fingerprint" revealed={revealed} onClose={onClose}>
      <div className="space-y-2 text-sm text-slate-700">
        <p>
          Your receiver uses this secret to check the <code className="font-mono">Wasviking-Signature</code> header of every delivery (HMAC-SHA256).{" "}
          <a className="text-blue-700 underline" href={VERIFYING_SIGNATURES_DOCS} target="_blank" rel="noopener">
            How to verify signatures
          </a>
        </p>
        <p>The fingerprint identifies the secret without revealing it. A receiver can compute it with:</p>
        <pre className="overflow-x-auto rounded bg-slate-100 px-3 py-2 font-mono text-xs">printf %s &quot;$SECRET&quot; | sha256sum | cut -c1-12</pre>
      </div>
    </RevealOnceDialog>
  );
}
