import { presentAttemptResult } from "@/lib/api/attempt-response";
import { operations } from "@/lib/api/operations";
import { sendTestDelivery } from "@/lib/deliveries/manual-attempts";
import { producer } from "@/lib/dispatch/producer";
import { sharedHttpClient } from "@/lib/dispatch/shared-http-client";
import { handle, type HandlerContext } from "@/lib/http/handler";

async function sendTest({ principal, params, now }: HandlerContext<{ id: string }, unknown, unknown>) {
  const result = await sendTestDelivery(principal, params.id, now, { boss: await producer(), http: sharedHttpClient() });
  return presentAttemptResult(result);
}

export const GET = handle(operations.sendTestGet, sendTest);
export const POST = handle(operations.sendTest, sendTest);
