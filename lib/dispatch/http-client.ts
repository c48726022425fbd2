import { rootCertificates } from "node:tls";
import { Agent } from "undici";
import { checkDestinationUrl } from "../url-safety";
import { BlockedDestinationError, type Resolver, safeLookup } from "./safe-lookup";

/**
 * Sends one attempt and captures what came back, within hard limits: one
 * wall-clock deadline covers DNS, connect, TLS, upload and the whole response,
 * so a receiver that hangs or trickles bytes cannot hold a slot for longer.
 * Connecting (TCP and TLS) has its own, shorter limit, which undici measures
 * with a timer of about ±0.5 s precision. Redirects are never followed (undici
 * follows them only with its redirect interceptor, which is not used here).
 */
export const ATTEMPT_DEADLINE_MS = 15_000;
export const CONNECT_TIMEOUT_MS = 5_000;
// Bytes of a response body kept for the inspector; the rest is not read.
export const RESPONSE_BODY_LIMIT = 64 * 1024;
const RESPONSE_HEADER_VALUE_LIMIT = 1024;

export type ErrorClass =
  | "timeout"
  | "dns"
  | "refused"
  | "reset"
  | "unreachable"
  | "tls"
  | "blocked_destination"
  | "no_signing_secret"
  | "connection";

export interface HttpResponseCapture {
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
}

export type SendResult =
  | { kind: "response"; response: HttpResponseCapture; durationMs: number }
  | { kind: "error"; errorClass: ErrorClass; detail: string; durationMs: number };

export interface HttpClientOptions {
  allowPrivate: boolean;
  resolver?: Resolver;
  deadlineMs?: number;
  connectTimeoutMs?: number;
  // Certificate authorities trusted besides the public ones, for receivers behind a private CA.
  // Verification itself is never switched off.
  ca?: string | string[];
}

export interface HttpClient {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

// Certificate problems by OpenSSL's verification code, worded for the person who has to fix the receiver.
const CERTIFICATE_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the certificate chain ends in a self-signed root that is not trusted",
  CERT_HAS_EXPIRED: "the certificate has expired",
  CERT_NOT_YET_VALID: "the certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the certificate is for another host name",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the certificate chain is incomplete (serve the intermediate certificates) or its issuer is unknown",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the certificate chain is incomplete (serve the intermediate certificates) or its issuer is unknown",
  UNABLE_TO_GET_ISSUER_CERT: "the certificate chain is incomplete (serve the intermediate certificates) or its issuer is unknown",
  CERT_REVOKED: "the certificate was revoked",
  CERT_SIGNATURE_FAILURE: "the certificate's signature is invalid",
};

const TLS_CODES = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/;

type ErrorLike = { code?: string; name?: string; message?: string };

/** Maps an error from the network stack to a stable error class and a readable detail. */
export function classifyNetworkError(error: unknown, deadlineMs = ATTEMPT_DEADLINE_MS): { errorClass: ErrorClass; detail: string } {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 5) {
    chain.push(current as ErrorLike);
    current = (current as { cause?: unknown }).cause;
  }
  for (const item of chain) {
    const code = item.code ?? "";
    if (item instanceof BlockedDestinationError) return { errorClass: "blocked_destination", detail: item.message };
    if (code === "UND_ERR_CONNECT_TIMEOUT") {
      return { errorClass: "timeout", detail: "The connection to the receiver could not be established in time" };
    }
    if (item.name === "TimeoutError" || item.name === "AbortError" || /TIMEOUT|ETIMEDOUT/.test(code)) {
      return { errorClass: "timeout", detail: `The receiver did not send a complete answer within ${deadlineMs / 1000} s` };
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "ENODATA") {
      return { errorClass: "dns", detail: `The host name could not be resolved (${code})` };
    }
    if (code === "ECONNREFUSED") return { errorClass: "refused", detail: "The receiver refused the connection" };
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") {
      return { errorClass: "reset", detail: "The connection was closed before a complete answer arrived" };
    }
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return { errorClass: "unreachable", detail: `The network could not reach the receiver (${code})` };
    const certificateProblem = CERTIFICATE_PROBLEMS[code];
    if (certificateProblem) {
      return { errorClass: "tls", detail: `TLS certificate rejected: ${certificateProblem} (${code}). Verification cannot be turned off: fix the receiver's certificate` };
    }
    if (TLS_CODES.test(code)) return { errorClass: "tls", detail: `TLS handshake failed (${code}): ${item.message ?? "no detail"}` };
  }
  const first = chain[0];
  return { errorClass: "connection", detail: first?.message ? `The request failed: ${first.message}` : "The request failed" };
}

/**
 * Turns the captured bytes of a response body into storable text of at most
 * `limit` UTF-8 bytes. PostgreSQL text cannot contain NUL, so NUL becomes
 * U+FFFD, as do invalid UTF-8 sequences. Both replacements can make the text
 * longer, so it is then cut at a character boundary.
 */
export function storableBody(bytes: Buffer, limit: number): { text: string; cut: boolean } {
  let text = bytes.toString("utf8").replaceAll("\u0000", "\uFFFD");
  if (Buffer.byteLength(text, "utf8") <= limit) return { text, cut: false };
  const encoded = Buffer.from(text, "utf8").subarray(0, limit);
  // A cut inside a multi-byte character decodes to U+FFFD, so drop whatever follows the last complete character.
  text = encoded.toString("utf8");
  while (Buffer.byteLength(text, "utf8") > limit) text = text.slice(0, -1);
  return { text, cut: true };
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const room = limit - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  // Not reading the rest closes the connection instead of draining a large or endless body.
  if (truncated) body.destroy();
  const stored = storableBody(Buffer.concat(chunks), limit);
  return { text: stored.text, truncated: truncated || stored.cut };
}

function captureHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    headers[name.toLowerCase()] = text.length > RESPONSE_HEADER_VALUE_LIMIT ? text.slice(0, RESPONSE_HEADER_VALUE_LIMIT) : text;
  }
  return headers;
}

/** Creates the client the worker (and the synchronous test and replay calls) send attempts with. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const deadlineMs = options.deadlineMs ?? ATTEMPT_DEADLINE_MS;
  const agent = new Agent({
    connect: {
      lookup: safeLookup({ allowPrivate: options.allowPrivate, resolver: options.resolver }),
      timeout: Math.min(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, deadlineMs),
      // Explicit, because Node's default follows NODE_TLS_REJECT_UNAUTHORIZED, which "0" turns off for the whole process.
      rejectUnauthorized: true,
      // Node's `ca` replaces the public roots, so they are passed along with the extra ones.
      ...(options.ca ? { ca: [...rootCertificates, ...[options.ca].flat()] } : {}),
    },
    keepAliveTimeout: 30_000,
    connections: 64,
    // The abort signal below is the deadline. undici's own timers are coarse (about ±0.5 s) and
    // could end an attempt early, so they only back it up from further out.
    headersTimeout: deadlineMs + 2000,
    bodyTimeout: deadlineMs + 2000,
  });

  return {
    async send(url, headers, body) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        // The stored URL is checked again on every attempt: the policy may have become stricter since it
        // was registered, and IP literals never reach the lookup function.
        const check = checkDestinationUrl(url, { allowPrivate: options.allowPrivate });
        if (!check.ok) throw new BlockedDestinationError(`The destination is not allowed: ${check.message}`);
        const target = new URL(check.url);
        const response = await agent.request({
          origin: target.origin,
          path: target.pathname + target.search,
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(deadlineMs),
        });
        const captured = await readBounded(response.body, RESPONSE_BODY_LIMIT);
        return {
          kind: "response",
          response: {
            status: response.statusCode,
            headers: captureHeaders(response.headers),
            body: captured.text,
            bodyTruncated: captured.truncated,
          },
          durationMs: elapsed(),
        };
      } catch (error) {
        return { kind: "error", ...classifyNetworkError(error, deadlineMs), durationMs: elapsed() };
      }
    },
    close: () => agent.close(),
  };
}
