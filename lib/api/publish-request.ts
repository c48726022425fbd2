import type { Principal } from "../auth/principal";
import { producer } from "../dispatch/producer";
import { publishEvent, type PublishedEvent } from "../events/publish";
import {
  findStoredResult,
  IdempotencyRace,
  purgeExpiredRecordsSoon,
  requestFingerprint,
  storedResultResponse,
  storeResult,
} from "./idempotency";
import { publishedEvent, type PublishEventBody } from "./schemas";

/** Maps a published event to the response of POST /v1/events. */
function present(event: PublishedEvent) {
  return {
    id: event.id,
    type: event.type,
    subject: event.subject,
    occurred_at: event.occurredAt,
    created_at: event.createdAt,
    deliveries: event.deliveryCount,
  };
}

export const PUBLISHED_STATUS = 202;

/**
 * Publishes the event of a POST /v1/events request, honouring its
 * Idempotency-Key: a repeat returns the first result as a ready Response.
 */
export async function publishRequest(
  principal: Principal,
  body: PublishEventBody,
  idempotencyKey: string | null,
  now: Date,
): Promise<ReturnType<typeof present> | Response> {
  const input = { type: body.type, subject: body.subject, data: body.data, occurredAt: body.occurred_at ? new Date(body.occurred_at) : undefined };
  if (idempotencyKey === null) return present(await publishEvent(principal.organizationId, input, { producer: await producer(), now }));

  purgeExpiredRecordsSoon(now);
  const fingerprint = requestFingerprint(body);
  const earlier = await findStoredResult(principal.organizationId, idempotencyKey, fingerprint, now);
  if (earlier) return storedResultResponse(earlier);
  try {
    const event = await publishEvent(principal.organizationId, input, {
      producer: await producer(),
      now,
      beforeCommit: (client, stored) =>
        storeResult(client, {
          organizationId: principal.organizationId,
          key: idempotencyKey,
          fingerprint,
          result: { status: PUBLISHED_STATUS, body: publishedEvent.parse(present(stored)) },
          now,
        }),
    });
    return present(event);
  } catch (error) {
    if (!(error instanceof IdempotencyRace)) throw error;
    const winner = await findStoredResult(principal.organizationId, idempotencyKey, fingerprint, now);
    if (!winner) throw error;
    return storedResultResponse(winner);
  }
}
