/**
 * The deliveries inspector's filters as the portal keeps them: in the page's
 * URL, so a filtered view can be shared and survives a reload, and turned
 * into the API's query parameters when the list is fetched. Pure, so the
 * same URL always means the same filters.
 */
export const TIME_PRESETS = {
  "1h": { label: "Last hour", milliseconds: 60 * 60 * 1000 },
  "24h": { label: "Last 24 hours", milliseconds: 24 * 60 * 60 * 1000 },
  "7d": { label: "Last 7 days", milliseconds: 7 * 24 * 60 * 60 * 1000 },
  "30d": { label: "Last 30 days", milliseconds: 30 * 24 * 60 * 60 * 1000 },
} as const;

export type TimePreset = keyof typeof TIME_PRESETS;

export interface InspectorFilters {
  // One status, or several joined by commas ("failed,retrying"); empty for all.
  status: string;
  eventType: string;
  // The search box's text: a delivery id, an event id, or a finding or asset id.
  search: string;
  // A window ending now, re-evaluated at every refresh; it wins over from and to.
  since: TimePreset | "";
  // ISO 8601 times: from is inclusive, to exclusive.
  from: string;
  to: string;
}

export const NO_FILTERS: InspectorFilters = { status: "", eventType: "", search: "", since: "", from: "", to: "" };

const URL_NAMES: Record<keyof InspectorFilters, string> = {
  status: "status",
  eventType: "event_type",
  search: "q",
  since: "since",
  from: "from",
  to: "to",
};

/** Reads the filters from a page URL's query; unknown or malformed values read as no filter. */
export function filtersFromSearchParams(params: URLSearchParams): InspectorFilters {
  const since = params.get(URL_NAMES.since) ?? "";
  return {
    status: params.get(URL_NAMES.status) ?? "",
    eventType: params.get(URL_NAMES.eventType) ?? "",
    search: params.get(URL_NAMES.search) ?? "",
    since: since in TIME_PRESETS ? (since as TimePreset) : "",
    from: isTime(params.get(URL_NAMES.from)) ? params.get(URL_NAMES.from)! : "",
    to: isTime(params.get(URL_NAMES.to)) ? params.get(URL_NAMES.to)! : "",
  };
}

/** Writes the filters as a page URL's query, leaving out empty ones. */
export function searchParamsOfFilters(filters: InspectorFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(URL_NAMES) as Array<keyof InspectorFilters>) {
    const value = filters[key].trim();
    if (value !== "") params.set(URL_NAMES[key], value);
  }
  return params;
}

/** Tells whether any filter is set. */
export function hasFilters(filters: InspectorFilters): boolean {
  return Object.values(filters).some((value) => value.trim() !== "");
}

function isTime(value: string | null): boolean {
  return value !== null && value !== "" && !Number.isNaN(new Date(value).getTime());
}

export type SearchTerm = { parameter: "delivery_id" | "event_id" | "subject"; value: string } | { error: string };

// Message for an entry that is not a delivery id, an event id, or a finding or asset id.
export const SEARCH_TERM_MESSAGE = "Enter a delivery id (dlv_…), an event id (evt_…) or a finding or asset id, without spaces.";

const DELIVERY_ID = /^dlv_[0-9A-HJKMNP-TV-Z]{26}$/i;
const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/i;
const SUBJECT = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Decides what a search box entry names: a delivery id (dlv_…, as in the
 * Wasviking-Delivery header), an event id (evt_…), or otherwise the finding or
 * asset id the events are about. Returns null for an empty entry.
 */
export function parseSearchTerm(text: string): SearchTerm | null {
  const term = text.trim();
  if (term === "") return null;
  if (term.toLowerCase().startsWith("dlv_")) {
    return DELIVERY_ID.test(term) ? { parameter: "delivery_id", value: `dlv_${term.slice(4).toUpperCase()}` } : { error: "This delivery id is incomplete: a delivery id is dlv_ followed by 26 characters." };
  }
  if (term.toLowerCase().startsWith("evt_")) {
    return EVENT_ID.test(term) ? { parameter: "event_id", value: `evt_${term.slice(4).toUpperCase()}` } : { error: "This event id is incomplete: an event id is evt_ followed by 26 characters." };
  }
  if (!SUBJECT.test(term)) return { error: SEARCH_TERM_MESSAGE };
  return { parameter: "subject", value: term };
}

/**
 * Builds the API query of the filters at `now`. The "from" time is inclusive
 * in the portal and the API's created_after is exclusive, hence the
 * millisecond. Returns an error for a search entry that cannot match anything.
 */
export function apiQueryOfFilters(filters: InspectorFilters, now: Date): { query: Record<string, string> } | { error: string } {
  const query: Record<string, string> = {};
  if (filters.status) query.status = filters.status;
  if (filters.eventType) query.event_type = filters.eventType;
  const term = parseSearchTerm(filters.search);
  if (term && "error" in term) return { error: term.error };
  if (term) query[term.parameter] = term.value;
  if (filters.since) {
    query.created_after = new Date(now.getTime() - TIME_PRESETS[filters.since].milliseconds).toISOString();
  } else {
    if (filters.from) query.created_after = new Date(new Date(filters.from).getTime() - 1).toISOString();
    if (filters.to) query.created_before = new Date(filters.to).toISOString();
    if (filters.from && filters.to && new Date(filters.from).getTime() >= new Date(filters.to).getTime()) {
      return { error: "The end of the time range must be later than its start." };
    }
  }
  return { query };
}

/** Formats an ISO time for a datetime-local input, in the browser's time zone, to the minute. */
export function toLocalInputValue(iso: string): string {
  if (!isTime(iso)) return "";
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Reads a datetime-local input's value (local time) as an ISO time; empty for an empty or invalid value. */
export function fromLocalInputValue(value: string): string {
  if (value === "") return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}
