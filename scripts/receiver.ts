import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { verifySignature } from "../lib/signing";
import { parseReceiverArguments, RECEIVER_USAGE } from "./lib/receiver-arguments";
import {
  COMMAND_LINE_SECRET_WARNING,
  collectSecrets,
  MISSING_SECRET_MESSAGE,
  SECRETS_VARIABLE,
  type SecretSource,
  secretFileModeWarning,
} from "./lib/receiver-secrets";

/**
 * Reference receiver: `WEBHOOK_SECRETS=whsec_... npm run receiver -- [--port 4000]`.
 *
 * Takes the signing secrets from WEBHOOK_SECRETS (both, separated by a space,
 * during a rotation) and from each `--secret-file PATH` (`-` reads standard
 * input). `--secret whsec_...` still works for compatibility, with a warning,
 * because every user of the machine can read a command line in `ps`.
 *
 * Verifies each delivery's Wasviking-Signature against the raw body bytes with
 * a constant-time comparison, rejects timestamps more than --tolerance seconds
 * away (default 300), ignores a delivery id it has already processed, and
 * prints each verified event as one JSON line. `--status 500` makes it respond
 * with 500 after verifying, to watch retries. `--help` lists the options.
 */
function exitWithError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const parsed = parseReceiverArguments(process.argv.slice(2));
if (parsed.kind === "help") {
  process.stdout.write(RECEIVER_USAGE);
  process.exit(0);
}
if (parsed.kind === "invalid") exitWithError(parsed.message);
const { secrets: commandLineSecrets, secretFiles, port, host, toleranceSeconds: tolerance, forcedStatus } = parsed.options;

async function readStandardInput(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("reading signing secrets from standard input: paste them, then press Ctrl-D\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function readSecretFile(filePath: string): SecretSource {
  try {
    const warning = secretFileModeWarning(filePath, statSync(filePath).mode);
    if (warning) process.stderr.write(`${warning}\n`);
    return { name: filePath, text: readFileSync(filePath, "utf8") };
  } catch (error) {
    exitWithError(`Failed to read --secret-file ${filePath}: ${(error as Error).message}`);
  }
}

async function readSecretSources(): Promise<SecretSource[]> {
  const sources: SecretSource[] = [];
  const fromEnvironment = process.env[SECRETS_VARIABLE];
  if (fromEnvironment) sources.push({ name: SECRETS_VARIABLE, text: fromEnvironment });
  for (const filePath of secretFiles) {
    sources.push(filePath === "-" ? { name: "standard input", text: await readStandardInput() } : readSecretFile(filePath));
  }
  if (commandLineSecrets.length > 0) {
    process.stderr.write(`${COMMAND_LINE_SECRET_WARNING}\n`);
    sources.push({ name: "--secret", text: commandLineSecrets.join(" ") });
  }
  return sources;
}

let secrets: string[];
try {
  secrets = collectSecrets(await readSecretSources());
} catch (error) {
  exitWithError((error as Error).message);
}
if (secrets.length === 0) exitWithError(MISSING_SECRET_MESSAGE);

const MAX_BODY_BYTES = 1024 * 1024;
// Delivery ids already processed. A retry or replay of one is acknowledged and noted on stderr, not printed again.
const seen = new Set<string>();
const SEEN_LIMIT = 100_000;

const server = createServer((request, response) => {
  if (request.method !== "POST") {
    response.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.writeHead(413).end("body too large\n");
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on("end", () => {
    if (response.headersSent) return;
    const body = Buffer.concat(chunks);
    const deliveryId = request.headers["wasviking-delivery"];
    const signature = request.headers["wasviking-signature"];
    const result = verifySignature({
      signatureHeader: typeof signature === "string" ? signature : undefined,
      deliveryId: typeof deliveryId === "string" ? deliveryId : undefined,
      body,
      secrets,
      toleranceSeconds: tolerance,
    });
    if (!result.ok) {
      process.stderr.write(`${JSON.stringify({ rejected: result.reason, delivery: deliveryId ?? null })}\n`);
      response.writeHead(401, { "content-type": "text/plain" }).end(`signature check failed: ${result.reason}\n`);
      return;
    }
    const id = deliveryId as string;
    const duplicate = seen.has(id);
    if (!duplicate) {
      if (seen.size >= SEEN_LIMIT) seen.delete(seen.values().next().value!);
      seen.add(id);
      let event: unknown;
      try {
        event = JSON.parse(body.toString("utf8"));
      } catch {
        event = null;
      }
      process.stdout.write(`${JSON.stringify({ delivery: id, verified: true, event })}\n`);
    } else {
      // A retry or a replay goes to stderr, so that stdout keeps one line per event.
      process.stderr.write(`${JSON.stringify({ duplicate: id, verified: true })}\n`);
    }
    if (forcedStatus !== null) {
      response.writeHead(forcedStatus, { "content-type": "text/plain" }).end(`answering ${forcedStatus} as asked by --status\n`);
      return;
    }
    response.writeHead(duplicate ? 200 : 204).end();
  });
});

server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  process.stderr.write(`receiver listening on http://${host}:${actual}/ with ${secrets.length} secret(s)\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
