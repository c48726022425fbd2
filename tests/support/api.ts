import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * Calls the API's route handlers in-process with real Request objects, so
 * integration tests exercise the same wrapper, schemas and database as the
 * running server without building it. Routes are discovered from app/v1.
 */
const appDirectory = path.join(import.meta.dirname, "..", "..", "app");

interface RouteFile {
  template: string;
  pattern: RegExp;
  parameterNames: string[];
  file: string;
}

/** Lists every route handler under app/v1 with its URL template, for example /v1/webhooks/{id}. */
export function discoverRoutes(): RouteFile[] {
  const routes: RouteFile[] = [];
  const visit = (directory: string, segments: string[]) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(directory, entry.name), [...segments, entry.name]);
      else if (entry.name === "route.ts") {
        const parameterNames: string[] = [];
        const template = "/" + segments.map((segment) => (segment.startsWith("[") ? `{${segment.slice(1, -1)}}` : segment)).join("/");
        const source = segments
          .map((segment) => {
            if (!segment.startsWith("[")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            parameterNames.push(segment.slice(1, -1));
            return "([^/]+)";
          })
          .join("/");
        routes.push({ template, pattern: new RegExp(`^/${source}$`), parameterNames, file: path.join(directory, entry.name) });
      }
    }
  };
  visit(path.join(appDirectory, "v1"), ["v1"]);
  return routes;
}

const routes = discoverRoutes();

export interface ApiCall {
  apiKey?: string;
  body?: unknown;
  // A stream stands for a body that arrives over time, or never ends.
  rawBody?: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
}

export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Sends one request to the matching route handler and parses its JSON answer. */
export async function api<T = any>(method: string, target: string, call: ApiCall = {}): Promise<ApiResult<T>> {
  const url = new URL(target, "http://localhost:3000");
  const route = routes.find((candidate) => candidate.pattern.test(url.pathname));
  if (!route) throw new Error(`No route handler for ${url.pathname}`);
  const match = route.pattern.exec(url.pathname)!;
  const params = Object.fromEntries(route.parameterNames.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]));
  const module = (await import(route.file)) as Record<string, (request: Request, context: unknown) => Promise<Response>>;
  const handler = module[method];
  if (!handler) return { status: 405, headers: new Headers(), body: undefined as T, text: "" };
  const headers = new Headers(call.headers);
  if (call.apiKey) headers.set("authorization", `ApiKey ${call.apiKey}`);
  let body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | undefined = call.rawBody;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = new Request(url, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
