import { idempotencyKeyOf } from "@/lib/api/idempotency";
import { operations } from "@/lib/api/operations";
import { publishRequest } from "@/lib/api/publish-request";
import { handle } from "@/lib/http/handler";

export const POST = handle(operations.publishEvent, async ({ request, principal, body, now }) =>
  publishRequest(principal, body, idempotencyKeyOf(request), now),
);
