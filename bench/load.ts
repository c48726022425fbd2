import type { PgBoss } from "pg-boss";
import { createOrganization } from "../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../lib/audit";
import type { Principal } from "../lib/auth/principal";
import { envelopeBody } from "../lib/events/envelope";
import { publishEvent } from "../lib/events/publish";
import { createSubscription } from "../lib/subscriptions/service";
import type { PublishedEventTimes } from "./latency";

/**
 * Seeding and load generation through the domain functions the API uses.
 * Webhooks are created with createSubscription, each with its own encrypted
 * signing secret, and events are published with publishEvent. Fan-out,
 * ordering chains and job queueing therefore cost what they cost in production.
 */
export const LOAD_EVENT_TYPE = "finding.escalated";
export const FANOUT_EVENT_TYPE = "asset.first_seen";

/** Milliseconds since the Unix epoch with sub-millisecond precision, comparable across processes of one machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Builds event data whose delivery body is about `bodyBytes` long, like a finding with a description. */
export function eventData(subject: string, bodyBytes: number): Record<string, unknown> {
  const data = { finding_id: subject, severity: "critical", title: "Exposed administration interface", asset: "vpn.example.com", description: "" };
  const overhead = Buffer.byteLength(
    envelopeBody({ eventId: "evt_00000000000000000000000000", type: LOAD_EVENT_TYPE, occurredAt: new Date(), subject, ordering: { key: `finding:${subject}`, sequence: 1 }, data }),
  );
  data.description = "x".repeat(Math.max(0, bodyBytes - overhead));
  return data;
}

/** Creates an organisation and `count` enabled webhooks on it listening to `eventType`, a few at a time. */
export async function createWebhooks(name: string, count: number, url: string, eventType: string): Promise<string> {
  const organization = await createOrganization(name);
  const principal: Principal = { organizationId: organization.id, actor: SYSTEM_ACTOR, via: "api_key", scopes: new Set(["webhooks:write"]) };
  let next = 0;
  const createSome = async () => {
    while (next < count) {
      const index = next++;
      await createSubscription(principal, { url, events: [eventType], description: `benchmark receiver ${index + 1}`, enabled: true }, new Date());
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, count) }, createSome));
  return organization.id;
}

export interface PublishOptions {
  organizationId: string;
  producer: PgBoss;
  bodyBytes: number;
  eventType?: string;
}

/** Publishes `events` events about distinct findings, four at a time; returns the deliveries created and the time taken. */
export async function publishBacklog(options: PublishOptions & { events: number; tag: string }): Promise<{ deliveries: number; seconds: number }> {
  const started = wallClock();
  let next = 0;
  let deliveries = 0;
  const publishSome = async () => {
    while (next < options.events) {
      const subject = `fnd_${options.tag}_${next++}`;
      const published = await publishEvent(
        options.organizationId,
        { type: options.eventType ?? LOAD_EVENT_TYPE, subject, data: eventData(subject, options.bodyBytes) },
        { producer: options.producer },
      );
      deliveries += published.deliveryCount;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, options.events) }, publishSome));
  return { deliveries, seconds: (wallClock() - started) / 1000 };
}

export interface PublishedSample extends PublishedEventTimes {
  // How late the call started compared with its slot in the schedule, in ms.
  lagMs: number;
}

// Calls allowed to be in flight at once. Beyond it the publisher falls behind schedule, which lagMs records.
const MAX_OUTSTANDING_PUBLISHES = 32;

/**
 * Publishes events at a steady rate: event i is due at start + i x interval.
 * Events called while `isMeasured()` is false are warm-up; `shouldStop()`
 * ends the schedule. Each call's own start time is recorded, so a publisher that falls
 * behind shows up as lag instead of silently lowering the rate.
 */
export async function publishPaced(
  options: PublishOptions & {
    eventsPerSecond: number;
    tag: string;
    isMeasured: () => boolean;
    shouldStop: () => boolean;
  },
): Promise<PublishedSample[]> {
  const intervalMs = 1000 / options.eventsPerSecond;
  const samples: PublishedSample[] = [];
  const pending = new Set<Promise<void>>();
  const start = wallClock();
  let failure: unknown;
  for (let index = 0; ; index++) {
    const due = start + index * intervalMs;
    if (options.shouldStop()) break;
    const wait = due - wallClock();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (pending.size >= MAX_OUTSTANDING_PUBLISHES) await Promise.race(pending);
    if (failure) throw failure;
    const subject = `fnd_${options.tag}_${index}`;
    const measured = options.isMeasured();
    const calledAt = wallClock();
    const call = publishEvent(
      options.organizationId,
      { type: options.eventType ?? LOAD_EVENT_TYPE, subject, data: eventData(subject, options.bodyBytes) },
      { producer: options.producer },
    ).then(
      (published) => {
        samples.push({ eventId: published.id, calledAt, returnedAt: wallClock(), deliveries: published.deliveryCount, lagMs: calledAt - due, measured });
      },
      (error: unknown) => {
        failure = error;
      },
    );
    const tracked = call.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }
  await Promise.all(pending);
  if (failure) throw failure;
  return samples;
}
