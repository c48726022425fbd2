import net from "node:net";
import { expect, test } from "@playwright/test";
import { e2eState } from "./support/state";

/**
 * Header handling of the production web server, sent over a raw socket
 * because HTTP clients merge or refuse repeated headers. Node.js keeps only the
 * first Authorization and Content-Type of a request, so the web server has to
 * reject repeats before Next.js receives the request.
 */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Joins the chunks of a chunked response body. */
function dechunk(text: string): string {
  let body = "";
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return body;
    body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** Sends one request with exactly the given header lines and reads the whole response. */
function sendRaw(method: string, path: string, headerLines: Array<[string, string]>, body = ""): Promise<RawAnswer> {
  const { hostname, port } = new URL(e2eState().baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = "";
    socket.setTimeout(15_000, () => socket.destroy(new Error(`${method} ${path}: no complete response within 15 s`)));
    socket.on("error", reject);
    socket.on("data", (data: Buffer) => (received += data.toString("utf8")));
    socket.on("end", () => {
      const end = received.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = received.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      const rest = received.slice(end + 4);
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: headers["transfer-encoding"] === "chunked" ? dechunk(rest) : rest });
    });
    const lines: Array<[string, string]> = [["Host", `${hostname}:${port}`], ["Connection", "close"], ...headerLines];
    if (body !== "") lines.push(["Content-Length", String(Buffer.byteLength(body))]);
    socket.write(`${method} ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n${body}`);
  });
}

test("the API rejects a repeated Authorization, Content-Type or Idempotency-Key", async () => {
  const state = e2eState();
  const event = JSON.stringify({ type: "finding.created", subject: "fnd_repeated_e2e", data: { finding_id: "fnd_repeated_e2e", title: "Repeated headers", severity: "low" } });
  const cases: Array<[string, Array<[string, string]>]> = [
    [
      "Authorization",
      [
        ["Authorization", `ApiKey ${state.apiKey}`],
        ["Authorization", `ApiKey ${state.otherApiKey}`],
        ["Content-Type", "application/json"],
      ],
    ],
    [
      "Content-Type",
      [
        ["Authorization", `ApiKey ${state.apiKey}`],
        ["Content-Type", "application/json"],
        ["Content-Type", "text/plain"],
      ],
    ],
    [
      "Idempotency-Key",
      [
        ["Authorization", `ApiKey ${state.apiKey}`],
        ["Content-Type", "application/json"],
        ["Idempotency-Key", "order-1"],
        ["Idempotency-Key", "order-2"],
      ],
    ],
  ];
  for (const [header, lines] of cases) {
    const answer = await sendRaw("POST", "/v1/events", lines, event);
    expect(answer.status, header).toBe(400);
    expect(answer.headers["content-type"], header).toBe("application/problem+json");
    const problem = JSON.parse(answer.body);
    expect(problem.type, header).toMatch(/bad-request$/);
    expect(problem.detail, header).toBe(`The header "${header}" appears more than once: send it once`);
  }
});

test("the API still reads each of those headers sent once", async () => {
  const state = e2eState();
  const answer = await sendRaw("GET", "/v1/webhooks", [["Authorization", `ApiKey ${state.apiKey}`]]);
  expect(answer.status).toBe(200);
});

test("the API does not echo an API key sent as X-Request-Id", async () => {
  const state = e2eState();
  const answer = await sendRaw("GET", "/v1/webhooks", [
    ["Authorization", `ApiKey ${state.apiKey}`],
    ["X-Request-Id", state.apiKey],
  ]);
  expect(answer.status).toBe(200);
  expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});
