import { config } from "../config";
import { createHttpClient, type HttpClient } from "./http-client";

const holder = globalThis as typeof globalThis & { __wvkHttpClient?: HttpClient };

/** Returns this process's HTTP client for attempts made outside the worker (test deliveries and replays). */
export function sharedHttpClient(): HttpClient {
  holder.__wvkHttpClient ??= createHttpClient({ allowPrivate: config().WVK_ALLOW_PRIVATE_DESTINATIONS });
  return holder.__wvkHttpClient;
}
