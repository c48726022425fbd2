import { operations } from "@/lib/api/operations";
import { producer } from "@/lib/dispatch/producer";
import { publishEvent } from "@/lib/events/publish";
import { handle } from "@/lib/http/handler";

export const POST = handle(operations.publishEvent, async ({ principal, body, now }) => {
  const event = await publishEvent(
    principal.organizationId,
    { type: body.type, subject: body.subject, data: body.data, occurredAt: body.occurred_at ? new Date(body.occurred_at) : undefined },
    { producer: await producer(), now },
  );
  return {
    id: event.id,
    type: event.type,
    subject: event.subject,
    occurred_at: event.occurredAt,
    created_at: event.createdAt,
    deliveries: event.deliveryCount,
  };
});
