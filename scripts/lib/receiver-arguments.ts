import { parseArgs } from "node:util";
import { DEFAULT_TOLERANCE_SECONDS } from "../../lib/signing";
import { SECRETS_VARIABLE } from "./receiver-secrets";

/**
 * Command-line options of the reference receiver (scripts/receiver.ts). Every
 * mistake gets one line that names the option and the fix, instead of the
 * stack trace that node:util's parseArgs throws in strict mode.
 */
export const RECEIVER_USAGE = `Usage: npm run receiver -- [options]

Reference receiver for WASViking webhooks. It verifies the signature of each
delivery and prints each verified event once, as one JSON line.

It reads the signing secrets from ${SECRETS_VARIABLE} (both secrets, separated by a
space, during a rotation) and from each --secret-file.

Options:
  --port PORT           port to listen on, 0 for any free port (default 4000)
  --host ADDRESS        address to listen on (default 127.0.0.1)
  --secret-file PATH    file with one signing secret per line, "-" for standard
                        input; may be given more than once
  --secret SECRET       signing secret on the command line, which every user of
                        this machine can read: prefer ${SECRETS_VARIABLE}
  --tolerance SECONDS   maximum difference between a delivery's timestamp and
                        this machine's clock, in seconds (default ${DEFAULT_TOLERANCE_SECONDS})
  --status CODE         respond with this HTTP status (200 to 599) after
                        verifying, to watch retries
  -h, --help            print this help and exit
`;

const OPTIONS = {
  secret: { type: "string", multiple: true },
  "secret-file": { type: "string", multiple: true },
  port: { type: "string" },
  host: { type: "string" },
  tolerance: { type: "string" },
  status: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface ReceiverOptions {
  secrets: string[];
  secretFiles: string[];
  port: number;
  host: string;
  toleranceSeconds: number;
  // The status to respond with after verifying, or null for the normal 204 (200 for a repeat).
  forcedStatus: number | null;
}

export type ReceiverArguments = { kind: "help" } | { kind: "invalid"; message: string } | { kind: "run"; options: ReceiverOptions };

const HELP_HINT = "run with --help to list the options";

function invalid(message: string): ReceiverArguments {
  return { kind: "invalid", message };
}

/** Reads a whole number of at most 10 decimal digits between `min` and `max`, or returns null. */
function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^[0-9]{1,10}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/**
 * Parses the receiver's arguments (without the node and script paths).
 * Returns help when -h or --help is among them, else the first mistake as an
 * invalid result, or else the options with their defaults filled in.
 */
export function parseReceiverArguments(args: readonly string[]): ReceiverArguments {
  // Not strict, so an unknown option becomes a token to report rather than an exception.
  const { tokens } = parseArgs({ args: [...args], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((token) => token.kind === "option" && token.name === "help" && token.value === undefined)) return { kind: "help" };

  const values: Record<string, string[]> = {};
  for (const token of tokens) {
    if (token.kind === "positional") return invalid(`Unexpected argument "${token.value}": ${HELP_HINT}`);
    if (token.kind !== "option") continue;

    const option = OPTIONS[token.name as keyof typeof OPTIONS] as { type: "string" | "boolean" } | undefined;
    if (!option) return invalid(`Unknown option ${token.rawName}: ${HELP_HINT}`);
    if (option.type === "boolean") return invalid(`${token.rawName} takes no value`);

    // Without strict mode, parseArgs takes the next argument as the value even when it is another option, as in "--port --host".
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.length > 1 && value.startsWith("-"))) {
      return invalid(`Missing value for ${token.rawName}: write ${token.rawName} VALUE, or ${token.rawName}=VALUE for a value that starts with "-"`);
    }
    (values[token.name] ??= []).push(value);
  }

  const last = (name: string): string | undefined => values[name]?.at(-1);
  const portText = last("port") ?? "4000";
  const port = wholeNumber(portText, 0, 65535);
  if (port === null) return invalid(`Invalid --port "${portText}": expected a whole number from 0 to 65535`);
  const toleranceText = last("tolerance") ?? String(DEFAULT_TOLERANCE_SECONDS);
  const toleranceSeconds = wholeNumber(toleranceText, 0, Number.MAX_SAFE_INTEGER);
  if (toleranceSeconds === null) return invalid(`Invalid --tolerance "${toleranceText}": expected a whole number of seconds`);
  const statusText = last("status");
  // A 1xx status is informational and cannot end a response.
  const forcedStatus = statusText === undefined ? null : wholeNumber(statusText, 200, 599);
  if (statusText !== undefined && forcedStatus === null) return invalid(`Invalid --status "${statusText}": expected an HTTP status from 200 to 599`);

  return {
    kind: "run",
    options: {
      secrets: values.secret ?? [],
      secretFiles: values["secret-file"] ?? [],
      port,
      host: last("host") ?? "127.0.0.1",
      toleranceSeconds,
      forcedStatus,
    },
  };
}
