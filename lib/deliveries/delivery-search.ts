import { EVENT_TYPES } from "../events/catalog";
import { type DeliveryFilters, DELIVERY_STATUSES, deliveryIdRange, distinct, type IdRange, isEmptyRange } from "./delivery-filters";

const ALL_EVENT_TYPES = EVENT_TYPES.map((info) => info.type);

/**
 * Plans the SQL that finds one page of delivery ids for the inspector's
 * filters. Each plan walks one index in id order and stops after a page, so a
 * page costs about the same with a thousand deliveries or a million:
 *
 * | filters | index walked |
 * | --- | --- |
 * | delivery id | the primary key |
 * | event id | `(event_id)` |
 * | subject, with any others | `(subscription_id, subject, id DESC)` |
 * | event types, statuses or both | `(subscription_id, event_type, status, id DESC)`, once per type and status |
 * | none | `(subscription_id, id DESC)`, or `(organization_id, id DESC)` across webhooks |
 *
 * "Once per type and status" walks take the newest page of each pair and
 * merge them, which keeps a multi-value filter ordered without sorting every
 * match. A status filter without event types walks every type of the catalog:
 * deliveries only carry catalog types, because publishing checks the type and
 * types are never removed (docs/api.md, Compatibility). That spares a second
 * index with the status, which every status change would also have to update.
 * Filtered lists across all webhooks of an organisation run the per-webhook
 * plan for each webhook and merge the pages, so their cost grows with the
 * number of webhooks, not with the number of deliveries.
 */
export interface SearchScope {
  organizationId: string;
  // One webhook, already checked to belong to the organisation; absent for every webhook of the organisation.
  webhookId?: string;
}

export interface SearchPlan {
  // Selects the ids of at most `limit` deliveries, newest first, as a column named id.
  text: string;
  // The placeholder of the organisation id, for conditions the caller adds around `text`.
  organization: string;
  values: unknown[];
  // Which index the plan is built to walk, for benchmarks and tests.
  strategy: "delivery_id" | "event_id" | "subject" | "event_type" | "status" | "recent";
}

class Parameters {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

interface NormalisedFilters {
  statuses: string[];
  eventTypes: string[];
  subject?: string;
  deliveryId?: string;
  eventId?: string;
  range: IdRange;
}

/** Conditions on the id range, applied inside every index walk so each stays a range scan. */
function rangeConditions(range: IdRange, parameters: Parameters): string[] {
  const conditions: string[] = [];
  if (range.below !== null) conditions.push(`d.id < ${parameters.add(range.below)}`);
  if (range.lowest !== null) conditions.push(`d.id >= ${parameters.add(range.lowest)}`);
  return conditions;
}

/** Filters checked on rows found through another index. */
function residualConditions(filters: NormalisedFilters, parameters: Parameters): string[] {
  const conditions: string[] = [];
  if (filters.statuses.length > 0) conditions.push(`d.status = ANY(${parameters.add(filters.statuses, "delivery_status[]")})`);
  if (filters.eventTypes.length > 0) conditions.push(`d.event_type = ANY(${parameters.add(filters.eventTypes, "text[]")})`);
  return conditions;
}

function where(conditions: string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
}

/** Plans the walk for one webhook, named by `webhook` (a parameter, or a column of an outer query). */
function webhookPlan(webhook: string, filters: NormalisedFilters, limit: string, parameters: Parameters): { text: string; strategy: SearchPlan["strategy"] } {
  const scope = `d.subscription_id = ${webhook}`;
  if (filters.subject !== undefined) {
    const conditions = [scope, `d.subject = ${parameters.add(filters.subject)}`, ...rangeConditions(filters.range, parameters), ...residualConditions(filters, parameters)];
    return { text: `SELECT d.id FROM deliveries d ${where(conditions)} ORDER BY d.id DESC LIMIT ${limit}`, strategy: "subject" };
  }
  if (filters.eventTypes.length > 0 || filters.statuses.length > 0) {
    const eventTypes = filters.eventTypes.length > 0 ? filters.eventTypes : ALL_EVENT_TYPES;
    const statuses = filters.statuses.length > 0 ? filters.statuses : DELIVERY_STATUSES;
    const conditions = [scope, "d.event_type = t.event_type", "d.status = st.status", ...rangeConditions(filters.range, parameters)];
    return {
      text: `SELECT x.id FROM unnest(${parameters.add(eventTypes, "text[]")}) AS t(event_type)
             CROSS JOIN unnest(${parameters.add(statuses, "delivery_status[]")}) AS st(status)
             CROSS JOIN LATERAL (SELECT d.id FROM deliveries d ${where(conditions)} ORDER BY d.id DESC LIMIT ${limit}) x
             ORDER BY x.id DESC LIMIT ${limit}`,
      strategy: filters.eventTypes.length > 0 ? "event_type" : "status",
    };
  }
  const conditions = [scope, ...rangeConditions(filters.range, parameters)];
  return { text: `SELECT d.id FROM deliveries d ${where(conditions)} ORDER BY d.id DESC LIMIT ${limit}`, strategy: "recent" };
}

function normalise(filters: DeliveryFilters, cursor: string | null | undefined): NormalisedFilters {
  return {
    statuses: distinct(filters.statuses),
    eventTypes: distinct(filters.eventTypes),
    subject: filters.subject,
    deliveryId: filters.deliveryId,
    eventId: filters.eventId,
    range: deliveryIdRange(filters, cursor),
  };
}

/**
 * Plans one page of the newest deliveries matching `filters` in `scope`,
 * older than `cursor` when given. Returns null when no delivery can match
 * (an empty time range), so no query is needed.
 */
export function planDeliverySearch(scope: SearchScope, filters: DeliveryFilters, page: { limit: number; cursor?: string | null }): SearchPlan | null {
  const normalised = normalise(filters, page.cursor);
  if (isEmptyRange(normalised.range)) return null;
  const parameters = new Parameters();
  const limit = parameters.add(page.limit, "int");
  const organization = parameters.add(scope.organizationId, "text");

  // An id names at most one delivery, and an event at most one per webhook: look them up, then check the rest.
  let lookup: "delivery_id" | "event_id" | null = null;
  if (normalised.deliveryId !== undefined) lookup = "delivery_id";
  else if (normalised.eventId !== undefined) lookup = "event_id";
  if (lookup) {
    const conditions = [
      lookup === "delivery_id" ? `d.id = ${parameters.add(normalised.deliveryId)}` : `d.event_id = ${parameters.add(normalised.eventId)}`,
      `d.organization_id = ${organization}`,
    ];
    if (lookup === "delivery_id" && normalised.eventId !== undefined) conditions.push(`d.event_id = ${parameters.add(normalised.eventId)}`);
    if (scope.webhookId) conditions.push(`d.subscription_id = ${parameters.add(scope.webhookId)}`);
    if (normalised.subject !== undefined) conditions.push(`d.subject = ${parameters.add(normalised.subject)}`);
    conditions.push(...rangeConditions(normalised.range, parameters), ...residualConditions(normalised, parameters));
    return { text: `SELECT d.id FROM deliveries d ${where(conditions)} ORDER BY d.id DESC LIMIT ${limit}`, values: parameters.values, organization, strategy: lookup };
  }

  if (scope.webhookId) {
    const plan = webhookPlan(parameters.add(scope.webhookId), normalised, limit, parameters);
    return { ...plan, values: parameters.values, organization };
  }

  const unfiltered = normalised.subject === undefined && normalised.eventTypes.length === 0 && normalised.statuses.length === 0;
  if (unfiltered) {
    const conditions = [`d.organization_id = ${organization}`, ...rangeConditions(normalised.range, parameters)];
    return { text: `SELECT d.id FROM deliveries d ${where(conditions)} ORDER BY d.id DESC LIMIT ${limit}`, values: parameters.values, organization, strategy: "recent" };
  }
  const perWebhook = webhookPlan("s.id", normalised, limit, parameters);
  return {
    text: `SELECT y.id FROM subscriptions s CROSS JOIN LATERAL (${perWebhook.text}) y
           WHERE s.organization_id = ${organization} ORDER BY y.id DESC LIMIT ${limit}`,
    values: parameters.values,
    organization,
    strategy: perWebhook.strategy,
  };
}
