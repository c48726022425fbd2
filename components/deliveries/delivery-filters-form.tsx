"use client";

import { type FormEvent, useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { DateRangeFields } from "@/components/ui/date-range-fields";
import { inputClasses } from "@/components/ui/field";
import { hasFilters, type InspectorFilters, NO_FILTERS, TIME_PRESETS, type TimePreset } from "@/lib/portal/inspector-filters";

/**
 * The inspector's filter bar. Choices apply at once; the search box applies on
 * Enter or "Search", so each keystroke does not start a request.
 */
const STATUS_CHOICES = [
  { value: "", label: "All statuses" },
  { value: "failed,retrying", label: "Failed or retrying" },
  { value: "failed", label: "Failed" },
  { value: "retrying", label: "Retrying" },
  { value: "pending", label: "Pending" },
  { value: "held", label: "Held" },
  { value: "succeeded", label: "Succeeded" },
];

const CUSTOM_RANGE = "custom";

interface DeliveryFiltersFormProps {
  filters: InspectorFilters;
  // The event types to offer: the webhook's own and webhook.test.
  eventTypes: string[];
  // The reason the current filters cannot be applied, shown under the search box.
  error: string | null;
  onChange: (filters: InspectorFilters) => void;
}

export function DeliveryFiltersForm({ filters, eventTypes, error, onChange }: DeliveryFiltersFormProps) {
  const id = useId();
  const [search, setSearch] = useState(filters.search);
  const [customRange, setCustomRange] = useState(filters.from !== "" || filters.to !== "");
  // Back and forward change the URL, and with it the filters: the box follows.
  useEffect(() => setSearch(filters.search), [filters.search]);

  const offeredTypes = [...new Set([...eventTypes, ...(filters.eventType ? [filters.eventType] : [])])];
  const offeredStatuses = STATUS_CHOICES.some((choice) => choice.value === filters.status) ? STATUS_CHOICES : [...STATUS_CHOICES, { value: filters.status, label: filters.status }];
  const timeChoice = filters.since || (customRange ? CUSTOM_RANGE : "");

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...filters, search: search.trim() });
  };
  const chooseTime = (value: string) => {
    if (value === CUSTOM_RANGE) {
      setCustomRange(true);
      onChange({ ...filters, since: "" });
      return;
    }
    setCustomRange(false);
    onChange({ ...filters, since: value as TimePreset | "", from: "", to: "" });
  };

  return (
    <form role="search" aria-label="Filter deliveries" onSubmit={submitSearch} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <label htmlFor={`${id}-search`} className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <div className="mt-1 flex gap-2">
            <input
              id={`${id}-search`}
              type="search"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              placeholder="Delivery id (dlv_…), event id (evt_…) or finding id"
              className={`${inputClasses} font-mono`}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              autoComplete="off"
              spellCheck={false}
            />
            <Button type="submit">Search</Button>
          </div>
        </div>
        <div>
          <label htmlFor={`${id}-status`} className="block text-sm font-medium text-slate-800">
            Status
          </label>
          <select id={`${id}-status`} className={`${inputClasses} mt-1`} value={filters.status} onChange={(event) => onChange({ ...filters, status: event.target.value })}>
            {offeredStatuses.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-type`} className="block text-sm font-medium text-slate-800">
            Event type
          </label>
          <select id={`${id}-type`} className={`${inputClasses} mt-1`} value={filters.eventType} onChange={(event) => onChange({ ...filters, eventType: event.target.value })}>
            <option value="">All event types</option>
            {offeredTypes.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-time`} className="block text-sm font-medium text-slate-800">
            Time
          </label>
          <select id={`${id}-time`} className={`${inputClasses} mt-1`} value={timeChoice} onChange={(event) => chooseTime(event.target.value)}>
            <option value="">Any time</option>
            {(Object.keys(TIME_PRESETS) as TimePreset[]).map((preset) => (
              <option key={preset} value={preset}>
                {TIME_PRESETS[preset].label}
              </option>
            ))}
            <option value={CUSTOM_RANGE}>Custom range…</option>
          </select>
        </div>
        {hasFilters(filters) ? (
          <Button
            tone="ghost"
            onClick={() => {
              setSearch("");
              setCustomRange(false);
              onChange(NO_FILTERS);
            }}
          >
            Clear filters
          </Button>
        ) : null}
      </div>
      {timeChoice === CUSTOM_RANGE ? (
        <div className="flex flex-wrap items-end gap-3">
          <DateRangeFields id={id} from={filters.from} to={filters.to} onChange={(range) => onChange({ ...filters, since: "", ...range })} />
        </div>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
