"use client";

import { Fragment, useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { splitBidiCharacters } from "@/lib/bidi-controls";
import { formattedJson } from "@/lib/portal/json-text";

/**
 * Text that came from outside the portal, such as a receiver's response body,
 * shown as inert characters. React escapes it, so markup, scripts, markdown
 * and links stay text and nothing is fetched or linked. Bidirectional
 * formatting characters and directional marks are shown as marked tokens such
 * as <U+202E>, so they cannot reorder the text after them. The box never grows past its height.
 * Never render such text with dangerouslySetInnerHTML or a markdown renderer.
 * The copy button copies the text as received.
 */
// The API never returns more than 64 KiB of a body; this also bounds what a future change could hand in.
const SHOWN_CHARACTERS = 64 * 1024;

export function InertText({ text, label, copyLabel }: { text: string; label: string; copyLabel: string }) {
  const formatted = useMemo(() => formattedJson(text), [text]);
  const [raw, setRaw] = useState(false);
  const shown = formatted !== null && !raw ? formatted : text;
  const cut = shown.length > SHOWN_CHARACTERS;

  return (
    <div>
      <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
        <span className="text-xs font-semibold tracking-wide text-slate-600 uppercase">{label}</span>
        <span className="flex flex-wrap items-center gap-2">
          {formatted !== null ? (
            <Button tone="ghost" className="min-h-7 px-2 py-0.5 text-xs" onClick={() => setRaw(!raw)} aria-pressed={raw}>
              {raw ? "Show formatted" : "Show raw"}
            </Button>
          ) : null}
          <CopyButton value={text} label={copyLabel} />
        </span>
      </div>
      {text === "" ? (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-600">Empty</p>
      ) : (
        <pre
          data-inert-text
          tabIndex={0}
          className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs break-all whitespace-pre-wrap text-slate-100"
        >
          <VisibleBidiText text={cut ? shown.slice(0, SHOWN_CHARACTERS) : shown} />
        </pre>
      )}
      {cut ? <p className="mt-1 text-xs text-slate-600">Only the first 64 KiB are shown.</p> : null}
    </div>
  );
}

/** Text with each bidirectional character replaced by a marked token that names its code point. */
function VisibleBidiText({ text }: { text: string }) {
  const segments = useMemo(() => splitBidiCharacters(text), [text]);
  return segments.map((segment, index) =>
    "text" in segment ? (
      <Fragment key={index}>{segment.text}</Fragment>
    ) : (
      <span key={index} data-bidi-character={segment.codePoint} title={`${segment.codePoint}, ${segment.name}`} className="rounded-sm bg-amber-200 px-0.5 text-slate-900">
        {`<${segment.codePoint}>`}
      </span>
    ),
  );
}

/** Headers as a two-column list of names and values, both as text. */
export function HeaderList({ headers, label }: { headers: Record<string, string>; label: string }) {
  const entries = Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p className="text-sm text-slate-600">No headers.</p>;
  return (
    <dl aria-label={label} className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1 rounded-md bg-slate-50 p-3 font-mono text-xs">
      {entries.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="text-slate-500">{name}</dt>
          <dd className="break-all text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
