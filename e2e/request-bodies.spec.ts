import net from "node:net";
import { expect, test } from "@playwright/test";
import { e2eState } from "./support/state";

/**
 * The production web server sends its response to a request it rejects
 * before the client has sent the body. That covers missing credentials, an
 * unknown API path or method, a portal page, and a sign-in body over its
 * limit. Each request below announces 10 MB, sends the headers and 64 KiB, and
 * then waits. A server that read the body first (Next.js does so before it
 * runs proxy.ts) would never respond.
 */
const DECLARED_BYTES = 10 * 1024 * 1024;
const FIRST_CHUNK = Buffer.alloc(64 * 1024, 0x20);
const ANSWER_TIMEOUT_MS = 10_000;

interface EarlyAnswer {
  status: number;
  headers: Record<string, string>;
}

/** Sends a request head and the first chunk of its body, and returns the response head that arrives before the rest. */
function answerBeforeBody(method: string, path: string, headers: Record<string, string>, options: { chunked?: boolean } = {}): Promise<EarlyAnswer> {
  const { hostname, port } = new URL(e2eState().baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${path}: no response within ${ANSWER_TIMEOUT_MS} ms while the body was incomplete`));
    }, ANSWER_TIMEOUT_MS);
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("data", (data) => {
      received += data.toString("latin1");
      const end = received.indexOf("\r\n\r\n");
      if (end === -1) return;
      clearTimeout(timer);
      socket.destroy();
      const [statusLine, ...lines] = received.slice(0, end).split("\r\n");
      const parsed = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ status: Number(statusLine!.split(" ")[1]), headers: parsed });
    });
    const framing = options.chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(DECLARED_BYTES) };
    const head = Object.entries({ host: `${hostname}:${port}`, "content-type": "application/json", ...framing, ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(`${method} ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.write(options.chunked ? Buffer.concat([Buffer.from(`${FIRST_CHUNK.length.toString(16)}\r\n`), FIRST_CHUNK, Buffer.from("\r\n")]) : FIRST_CHUNK);
  });
}

test("the API answers 401 before an unauthenticated body arrives", async () => {
  const missing = await answerBeforeBody("POST", "/v1/webhooks", {});
  expect(missing.status).toBe(401);
  expect(missing.headers["content-type"]).toBe("application/problem+json");

  const chunked = await answerBeforeBody("POST", "/v1/events", {}, { chunked: true });
  expect(chunked.status).toBe(401);

  const wrongKey = await answerBeforeBody("POST", "/v1/events", { authorization: "ApiKey wvk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" });
  expect(wrongKey.status).toBe(401);

  const staleSession = await answerBeforeBody("PATCH", "/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK", { cookie: "next-auth.session-token=expired" });
  expect(staleSession.status).toBe(401);
});

test("unknown API paths and methods are answered before the body", async () => {
  const unknownPath = await answerBeforeBody("POST", "/v1/no-such-operation", {});
  expect(unknownPath.status).toBe(404);
  expect(unknownPath.headers["content-type"]).toBe("application/problem+json");

  const otherMethod = await answerBeforeBody("PUT", "/v1/webhooks", {});
  expect(otherMethod.status).toBe(405);
  expect(otherMethod.headers["allow"]).toBe("GET, HEAD, OPTIONS, POST");
  expect(otherMethod.headers["content-type"]).toBe("application/problem+json");
});

test("portal pages and sign-in refuse a large body before it arrives", async () => {
  const page = await answerBeforeBody("POST", "/integrations/webhooks", {});
  expect(page.status).toBe(405);
  expect(page.headers["allow"]).toBe("GET, HEAD");

  const signIn = await answerBeforeBody("POST", "/api/auth/callback/credentials", { "content-type": "application/x-www-form-urlencoded" });
  expect(signIn.status).toBe(413);
});

test("a client that leaves mid-body does not disturb the server", async ({ request }) => {
  const state = e2eState();
  const { hostname, port } = new URL(state.baseUrl);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        `POST /v1/webhooks HTTP/1.1\r\nhost: ${hostname}:${port}\r\nauthorization: ApiKey ${state.apiKey}\r\n` +
          `content-type: application/json\r\ncontent-length: 4000\r\n\r\n{"url": "https://siem.example.com/`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 300);
    });
    socket.on("error", reject);
  });

  const list = await request.get("/v1/webhooks?limit=1", { headers: { authorization: `ApiKey ${state.apiKey}` } });
  expect(list.status()).toBe(200);
});
