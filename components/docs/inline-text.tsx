import { Fragment, type ReactNode } from "react";

/** Renders `code` and **bold** inside one line of text. */
function Inline({ text }: { text: string }) {
  return (
    <>
      {text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part, index) => {
        if (part.startsWith("`") && part.endsWith("`") && part.length > 1) {
          return (
            <code key={index} className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em] text-slate-800">
              {part.slice(1, -1)}
            </code>
          );
        }
        if (part.startsWith("**") && part.endsWith("**") && part.length > 3) return <strong key={index}>{part.slice(2, -2)}</strong>;
        return <Fragment key={index}>{part}</Fragment>;
      })}
    </>
  );
}

/** Renders the little Markdown our descriptions use: paragraphs, "- " lists, `code` and **bold**. Anything else stays text. */
export function InlineText({ text }: { text: string }) {
  const blocks: ReactNode[] = text.split(/\n\n+/).map((block, index) => {
    const lines = block.split("\n");
    if (lines.every((line) => line.startsWith("- "))) {
      return (
        <ul key={index} className="mt-2 list-disc space-y-1 pl-6 first:mt-0">
          {lines.map((line, lineIndex) => (
            <li key={lineIndex}>
              <Inline text={line.slice(2)} />
            </li>
          ))}
        </ul>
      );
    }
    return (
      <p key={index} className="mt-2 first:mt-0">
        <Inline text={block} />
      </p>
    );
  });
  return <>{blocks}</>;
}
