/**
 * The JSON body of every delivery. Keys are written in a fixed order so the
 * bytes are stable and readable; the signature covers these exact bytes.
 */
export interface EnvelopeInput {
  eventId: string;
  type: string;
  occurredAt: Date;
  subject: string | null;
  ordering: { key: string; sequence: number } | null;
  data: unknown;
}

/** Serialises an event for one subscription. */
export function envelopeBody(input: EnvelopeInput): string {
  return JSON.stringify({
    id: input.eventId,
    type: input.type,
    timestamp: input.occurredAt.toISOString(),
    subject: input.subject,
    ordering: input.ordering,
    data: input.data,
  });
}
