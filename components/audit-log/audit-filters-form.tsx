"use client";

import { type FormEvent, useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { DateRangeFields } from "@/components/ui/date-range-fields";
import { inputClasses } from "@/components/ui/field";
import { AUDIT_ACTION_CHOICES, type AuditFilters, hasAuditFilters, NO_AUDIT_FILTERS } from "@/lib/portal/audit-filters";

/**
 * The audit log's filter bar. The action and the dates apply at once; the
 * actor and target boxes apply on Enter or "Apply", so each keystroke does not
 * start a request.
 */
interface AuditFiltersFormProps {
  filters: AuditFilters;
  // The reason the current filters cannot be applied.
  error: string | null;
  onChange: (filters: AuditFilters) => void;
}

export function AuditFiltersForm({ filters, error, onChange }: AuditFiltersFormProps) {
  const id = useId();
  const [actor, setActor] = useState(filters.actor);
  const [targetId, setTargetId] = useState(filters.targetId);
  // Clicking an actor or target in the table sets the filter: the boxes follow.
  useEffect(() => setActor(filters.actor), [filters.actor]);
  useEffect(() => setTargetId(filters.targetId), [filters.targetId]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...filters, actor: actor.trim(), targetId: targetId.trim() });
  };

  return (
    <form role="search" aria-label="Filter the audit log" onSubmit={submit} className="mb-4 space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor={`${id}-action`} className="block text-sm font-medium text-slate-800">
            Action
          </label>
          <select id={`${id}-action`} className={`${inputClasses} mt-1`} value={filters.action} onChange={(event) => onChange({ ...filters, action: event.target.value })}>
            <option value="">All actions</option>
            {AUDIT_ACTION_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <div className="min-w-56 flex-1">
          <label htmlFor={`${id}-actor`} className="block text-sm font-medium text-slate-800">
            Actor
          </label>
          <input
            id={`${id}-actor`}
            value={actor}
            onChange={(event) => setActor(event.target.value)}
            placeholder="usr_…, key_… or system"
            className={`${inputClasses} mt-1 font-mono`}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="min-w-56 flex-1">
          <label htmlFor={`${id}-target`} className="block text-sm font-medium text-slate-800">
            Target
          </label>
          <input
            id={`${id}-target`}
            value={targetId}
            onChange={(event) => setTargetId(event.target.value)}
            placeholder="wh_…, dlv_…, key_… or usr_…"
            className={`${inputClasses} mt-1 font-mono`}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <DateRangeFields id={id} from={filters.from} to={filters.to} onChange={(range) => onChange({ ...filters, ...range })} />
        <Button type="submit">Apply</Button>
        {hasAuditFilters(filters) ? (
          <Button tone="ghost" onClick={() => onChange(NO_AUDIT_FILTERS)}>
            Clear filters
          </Button>
        ) : null}
      </div>
      {error ? (
        <p className="text-sm font-medium text-red-700" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
