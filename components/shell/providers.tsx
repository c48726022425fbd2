"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { ApiProblem } from "@/lib/portal/api-client";
import { PortalContextProvider, type PortalContextValue } from "./portal-context";

const MAX_RETRIES = 2;

// A 401 means the session ended (signed out elsewhere, expired, or the user was removed): go to the sign-in page and come back here.
function signInAgainOnUnauthorized(error: unknown): void {
  if (!(error instanceof ApiProblem) || error.status !== 401) return;
  const back = window.location.pathname + window.location.search;
  window.location.assign(`/login?callbackUrl=${encodeURIComponent(back)}`);
}

function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: signInAgainOnUnauthorized }),
    mutationCache: new MutationCache({ onError: signInAgainOnUnauthorized }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // Client errors (4xx) will not go away by asking again; network errors and 5xx might.
        retry: (failureCount, error) => failureCount < MAX_RETRIES && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      },
      mutations: { retry: false },
    },
  });
}

/** Wraps every portal page: data fetching, notices and the signed-in user. */
export function PortalProviders({ context, children }: { context: PortalContextValue; children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <PortalContextProvider value={context}>
        <ToastProvider>{children}</ToastProvider>
      </PortalContextProvider>
    </QueryClientProvider>
  );
}
