import { Agent } from "undici";
import { hostnameProblem } from "../url-safety";
import { BlockedDestinationError, type Resolver, safeLookup } from "./safe-lookup";

/**
 * Sends one attempt and captures what came back, within hard limits: one
 * wall-clock deadline covers connect, TLS, upload and the whole response, so a
 * receiver that hangs or trickles bytes cannot hold a slot for longer. Redirects
 * are never followed (undici does not follow them unless told to).
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
  // Extra certificate authorities to trust, for receivers behind a private CA.
  ca?: string | string[];
}

export interface HttpClient {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

const TLS_CODES = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/;

/** Maps an error from the network stack to a stable error class and a readable detail. */
export function classifyNetworkError(error: unknown): { errorClass: ErrorClass; detail: string } {
  const chain: Array<{ code?: string; name?: string; message?: string }> = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 5) {
    chain.push(current as { code?: string; name?: string; message?: string });
    current = (current as { cause?: unknown }).cause;
  }
  for (const item of chain) {
    const code = item.code ?? "";
    if (item instanceof BlockedDestinationError) return { errorClass: "blocked_destination", detail: item.message };
    if (item.name === "TimeoutError" || item.name === "AbortError" || /TIMEOUT|ETIMEDOUT/.test(code)) {
      return { errorClass: "timeout", detail: "The receiver did not answer within the attempt deadline" };
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
      return { errorClass: "dns", detail: `The host name could not be resolved (${code})` };
    }
    if (code === "ECONNREFUSED") return { errorClass: "refused", detail: "The receiver refused the connection" };
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") {
      return { errorClass: "reset", detail: "The connection was closed before a complete answer arrived" };
    }
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return { errorClass: "unreachable", detail: `The network could not reach the receiver (${code})` };
    if (TLS_CODES.test(code)) return { errorClass: "tls", detail: `TLS handshake failed: ${item.message ?? code}` };
  }
  const first = chain[0];
  return { errorClass: "connection", detail: first?.message ? `The request failed: ${first.message}` : "The request failed" };
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
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
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
      timeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      ...(options.ca ? { ca: options.ca } : {}),
    },
    keepAliveTimeout: 30_000,
    connections: 64,
    headersTimeout: deadlineMs,
    bodyTimeout: deadlineMs,
  });

  return {
    async send(url, headers, body) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        // IP literals never reach the lookup function, so they are checked here on every attempt.
        const target = new URL(url);
        const hostProblem = options.allowPrivate ? null : hostnameProblem(target.hostname);
        if (hostProblem) throw new BlockedDestinationError(hostProblem);
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
        return { kind: "error", ...classifyNetworkError(error), durationMs: elapsed() };
      }
    },
    close: () => agent.close(),
  };
}
