import { operations } from "@/lib/api/operations";
import { presentCapToday } from "@/lib/api/presenters";
import { releaseHeldByRequest } from "@/lib/caps/release";
import { webhookCapToday } from "@/lib/caps/usage-report";
import { producer } from "@/lib/dispatch/producer";
import { handle } from "@/lib/http/handler";

export const POST = handle(operations.releaseHeldDeliveries, async ({ principal, params, now }) => {
  const { released } = await releaseHeldByRequest(principal, params.id, now, await producer());
  return { released, today: presentCapToday(await webhookCapToday(principal.organizationId, params.id, now)) };
});
