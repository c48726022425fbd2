"use client";

import { type ReactNode, useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";

/**
 * Shows a signing secret or an API key the one time the API returns it. The
 * value lives only in the state of the component that opened this dialog,
 * which drops it on close. The dialog ignores Escape and clicks outside, makes
 * the browser confirm before the page is left, and drops the value on
 * `pagehide`, so a page restored from the back-forward cache does not show it.
 */
export interface RevealedValue {
  value: string;
  // Short public label of the value: a secret's fingerprint or an API key's prefix.
  label: string;
}

interface RevealOnceDialogProps {
  title: string;
  // Name of the value inside sentences: "signing secret" or "API key".
  noun: string;
  revealed: RevealedValue;
  labelName: string;
  children?: ReactNode;
  onClose: () => void;
}

export function RevealOnceDialog({ title, noun, revealed, labelName, children, onClose }: RevealOnceDialogProps) {
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const warnBeforeLeaving = (event: BeforeUnloadEvent) => event.preventDefault();
    const forget = () => close.current();
    window.addEventListener("beforeunload", warnBeforeLeaving);
    window.addEventListener("pagehide", forget);
    return () => {
      window.removeEventListener("beforeunload", warnBeforeLeaving);
      window.removeEventListener("pagehide", forget);
    };
  }, []);

  return (
    <Dialog
      title={title}
      size="lg"
      description={
        <>
          Copy the {noun} now and store it somewhere safe, such as your secret manager. <strong>It will not be shown again</strong>: not here, not after a
          reload, and not through the API.
        </>
      }
      footer={
        <Button tone="primary" onClick={onClose}>
          I have stored it
        </Button>
      }
    >
      <div className="space-y-4">
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3">
          <code translate="no" className="block font-mono text-sm break-all text-slate-900 select-all" data-revealed-value>
            {revealed.value}
          </code>
        </div>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <CopyButton value={revealed.value} label={`Copy ${noun}`} tone="primary" />
          <p className="text-sm text-slate-600">
            {labelName}: <code className="font-mono text-slate-900">{revealed.label}</code>
          </p>
        </div>
        {children}
      </div>
    </Dialog>
  );
}
