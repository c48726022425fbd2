/** Renders a block of code or JSON verbatim, with a caption naming what it is. */
export function CodeBlock({ code, caption }: { code: string; caption?: string }) {
  return (
    <figure className="mt-3">
      {caption ? <figcaption className="mb-1 text-xs font-medium text-slate-500">{caption}</figcaption> : null}
      <pre className="overflow-x-auto rounded-lg bg-slate-900 p-4 text-[13px] leading-relaxed text-slate-100">
        <code>{code}</code>
      </pre>
    </figure>
  );
}
