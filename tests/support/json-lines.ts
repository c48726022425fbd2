import type { Readable } from "node:stream";

/** Parses each non-blank line that `stream` outputs as JSON and appends it to `into`, as lines complete. */
export function collectJsonLines<T>(stream: Readable, into: T[]): void {
  let buffer = "";
  stream.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) into.push(JSON.parse(line) as T);
    }
  });
}
