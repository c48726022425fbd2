import { attemptTimeoutSeconds, config } from "../config";
import { createHttpClient, type HttpClient } from "./http-client";

const holder = globalThis as typeof globalThis & { __wvkHttpClient?: HttpClient };

/**
 * Returns this process's HTTP client for attempts made outside the worker
 * (test deliveries and replays), with the same destination policy, timeout and
 * extra certificate authorities as the worker's.
 */
export function sharedHttpClient(): HttpClient {
  holder.__wvkHttpClient ??= createHttpClient({
    allowPrivate: config().WVK_ALLOW_PRIVATE_DESTINATIONS,
    deadlineMs: attemptTimeoutSeconds() * 1000,
    ca: process.env.WVK_EXTRA_CA_PEM,
  });
  return holder.__wvkHttpClient;
}

/** Replaces this process's client (tests only, for example to inject a resolver); pass null to build the default again. */
export function setSharedHttpClient(client: HttpClient | null): void {
  holder.__wvkHttpClient = client ?? undefined;
}
