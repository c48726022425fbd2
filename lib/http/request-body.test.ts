import { describe, expect, it } from "vitest";
import { ClientDisconnectedError, readRequestBody, RequestBodyTooLargeError } from "./request-body";

/** Builds a POST whose body counts the chunks pulled from it. Nothing is pulled before the first read. */
function countingRequest(chunks: Uint8Array[], headers: Record<string, string> = {}, failAfter?: Error) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[pulled];
      pulled++;
      if (chunk) controller.enqueue(chunk);
      else if (failAfter) controller.error(failAfter);
      else controller.close();
    },
  }, { highWaterMark: 0 });
  const request = new Request("http://localhost/v1/webhooks", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { request, pulled: () => pulled };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("readRequestBody", () => {
  it("returns the whole body", async () => {
    const { request } = countingRequest([bytes('{"a":'), bytes("1}")]);
    expect(new TextDecoder().decode(await readRequestBody(request, 100))).toBe('{"a":1}');
  });

  it("returns no bytes for a request without a body", async () => {
    expect(await readRequestBody(new Request("http://localhost/", { method: "POST" }), 100)).toHaveLength(0);
  });

  it("rejects a declared length above the limit before reading", async () => {
    const { request, pulled } = countingRequest([bytes("x")], { "content-length": "101" });
    await expect(readRequestBody(request, 100)).rejects.toBeInstanceOf(RequestBodyTooLargeError);
    expect(pulled()).toBe(0);
  });

  it("stops reading once the body passes the limit", async () => {
    const { request, pulled } = countingRequest([bytes("x".repeat(60)), bytes("x".repeat(60)), bytes("x".repeat(60))]);
    await expect(readRequestBody(request, 100)).rejects.toEqual(new RequestBodyTooLargeError(100));
    expect(pulled()).toBeLessThan(3);
  });

  it("reports a body stream that fails as a disconnected client", async () => {
    const aborted = Object.assign(new Error("aborted"), { code: "ECONNRESET" });
    const { request } = countingRequest([bytes("x".repeat(10))], {}, aborted);
    const error = await readRequestBody(request, 100).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientDisconnectedError);
    expect((error as ClientDisconnectedError).receivedBytes).toBe(10);
    expect((error as ClientDisconnectedError).cause).toBe(aborted);
  });
});
