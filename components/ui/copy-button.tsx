"use client";

import { useEffect, useState } from "react";
import { Button } from "./button";

/**
 * Copies `value` to the clipboard exactly as given. The Clipboard API needs a
 * secure context (https, or localhost); elsewhere the copy goes through a
 * temporary text area, which every browser still supports.
 */
async function copyText(value: string): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(value);
      return true;
    } catch {
      // Permission denied: fall through to the text-area copy.
    }
  }
  const area = document.createElement("textarea");
  area.value = value;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand("copy");
  } finally {
    area.remove();
  }
}

export function CopyButton({ value, label = "Copy", tone = "secondary" }: { value: string; label?: string; tone?: "primary" | "secondary" }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  let announcement = "";
  if (state === "copied") announcement = "Copied to the clipboard";
  if (state === "failed") announcement = "Copying failed: select the text and copy it by hand";

  return (
    <span className="inline-flex items-center gap-2">
      <Button tone={tone} onClick={async () => setState((await copyText(value)) ? "copied" : "failed")}>
        {state === "copied" ? "Copied" : label}
      </Button>
      <span role="status" className="text-sm text-slate-600">
        {announcement}
      </span>
    </span>
  );
}
