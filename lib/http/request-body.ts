/**
 * Reads a request body into memory with a size limit. Callers authenticate
 * the request first, so no one without credentials can make the server hold a
 * body. A declared Content-Length above the limit is rejected before any byte
 * is read, and a body that grows past the limit while it streams is cancelled.
 */

/** The body is larger than the limit the caller set. */
export class RequestBodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes`);
    this.name = "RequestBodyTooLargeError";
  }
}

/**
 * The body could not be read to its end, because the client closed the
 * connection (or the connection failed) while it was sending. No response can
 * reach that client any more.
 */
export class ClientDisconnectedError extends Error {
  constructor(
    readonly receivedBytes: number,
    options: { cause: unknown },
  ) {
    super("The client closed the connection before it sent the whole request body", options);
    this.name = "ClientDisconnectedError";
  }
}

/**
 * Returns the body's bytes, or an empty array when there is none. Throws
 * RequestBodyTooLargeError past `limitBytes` and ClientDisconnectedError when
 * the body stream fails.
 */
export async function readRequestBody(request: Request, limitBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limitBytes) throw new RequestBodyTooLargeError(limitBytes);
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // Node.js fails the stream with "aborted" (ECONNRESET) when the client goes away mid-body.
      throw new ClientDisconnectedError(size, { cause: error });
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new RequestBodyTooLargeError(limitBytes);
    }
    chunks.push(chunk.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Tells whether a request's headers announce a body: a Transfer-Encoding, or
 * a Content-Length other than 0 (RFC 9112, section 6.3). proxy.ts's matcher
 * states the same rule, because Next.js runs a proxy only after it has read
 * the body.
 */
export function requestDeclaresBody(headers: { "content-length"?: string; "transfer-encoding"?: string }): boolean {
  if (headers["transfer-encoding"] !== undefined) return true;
  const length = headers["content-length"];
  return length !== undefined && length !== "0";
}
