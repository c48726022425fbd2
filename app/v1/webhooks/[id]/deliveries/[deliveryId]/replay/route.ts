import { presentAttemptResult } from "@/lib/api/attempt-response";
import { operations } from "@/lib/api/operations";
import { replayDelivery } from "@/lib/deliveries/manual-attempts";
import { producer } from "@/lib/dispatch/producer";
import { sharedHttpClient } from "@/lib/dispatch/shared-http-client";
import { handle, type HandlerContext } from "@/lib/http/handler";

async function replay({ principal, params, now }: HandlerContext<{ id: string; deliveryId: string }, unknown, unknown>) {
  const result = await replayDelivery(principal, params.id, params.deliveryId, now, { boss: await producer(), http: sharedHttpClient() });
  return presentAttemptResult(result);
}

export const GET = handle(operations.replayDeliveryGet, replay);
export const POST = handle(operations.replayDelivery, replay);
