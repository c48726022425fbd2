/**
 * Strict JSON for request bodies. JSON.parse keeps the last of two duplicate
 * keys, so `{"url": "https://a", "url": "https://b"}` means different things
 * to different parsers: a proxy may check the first URL while we would store
 * the second. Such bodies are rejected instead. Deep nesting is rejected before
 * anything recursive touches the value, and strings PostgreSQL's jsonb cannot
 * store (U+0000, unpaired surrogates) are rejected instead of failing later.
 */
export const MAX_JSON_DEPTH = 32;

export type JsonProblem =
  | { kind: "syntax"; message: string }
  | { kind: "duplicate_key"; key: string; pointer: string }
  | { kind: "too_deep"; maxDepth: number }
  | { kind: "unstorable_string"; pointer: string };

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Container {
  // Keys seen so far in an object; null for an array.
  keys: Set<string> | null;
  // Path segment of this container inside its parent, for error pointers (unused for the root).
  segment: string;
  index: number;
}

function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function pointerOf(stack: Container[], last?: string): string {
  const segments = stack.slice(2).map((container) => container.segment);
  if (last !== undefined) segments.push(last);
  return segments.map((segment) => "/" + escapePointerSegment(segment)).join("");
}

// U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isStorable(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * Scans valid-or-not JSON text for structure only: depth, duplicate keys and
 * unstorable strings. Syntax errors are left to JSON.parse, which runs after.
 */
function scan(text: string, maxDepth: number): JsonProblem | null {
  const stack: Container[] = [{ keys: null, segment: "", index: 0 }];
  // The key just read, waiting for its value to open a container.
  let pendingKey: string | null = null;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      let end = index + 1;
      let escaped = false;
      while (end < text.length) {
        const inner = text.charCodeAt(end);
        if (inner === BACKSLASH) {
          escaped = true;
          end += 2;
          continue;
        }
        if (inner === QUOTE) break;
        end++;
      }
      if (end >= text.length) return null;
      let value = text.slice(index + 1, end);
      if (escaped) {
        try {
          value = JSON.parse(text.slice(index, end + 1)) as string;
        } catch {
          return null;
        }
      }
      const top = stack[stack.length - 1]!;
      let after = end + 1;
      while (after < text.length && /\s/.test(text[after]!)) after++;
      const isKey = top.keys !== null && text[after] === ":";
      if (isKey) {
        if (top.keys!.has(value)) return { kind: "duplicate_key", key: value, pointer: pointerOf(stack, value) };
        top.keys!.add(value);
        pendingKey = value;
      }
      if (escaped && !isStorable(value)) {
        return { kind: "unstorable_string", pointer: pointerOf(stack, isKey ? value : pendingKey ?? String(top.index)) };
      }
      index = end + 1;
      continue;
    }
    if (code === 0x7b || code === 0x5b) {
      const parent = stack[stack.length - 1]!;
      const segment = parent.keys === null ? String(parent.index) : pendingKey ?? "";
      stack.push({ keys: code === 0x7b ? new Set() : null, segment, index: 0 });
      pendingKey = null;
      if (stack.length - 1 > maxDepth) return { kind: "too_deep", maxDepth };
    } else if (code === 0x7d || code === 0x5d) {
      if (stack.length > 1) stack.pop();
    } else if (code === 0x2c) {
      stack[stack.length - 1]!.index++;
      pendingKey = null;
    }
    index++;
  }
  return null;
}

/** Parses a request body as strict JSON; never throws. */
export function parseJsonStrict(text: string, maxDepth = MAX_JSON_DEPTH): JsonParseResult {
  const problem = scan(text, maxDepth);
  if (problem) return { ok: false, problem };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: { kind: "syntax", message: (error as Error).message } };
  }
}
