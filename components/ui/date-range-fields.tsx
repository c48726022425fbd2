"use client";

import { inputClasses } from "@/components/ui/field";
import { fromLocalInputValue, toLocalInputValue } from "@/lib/portal/inspector-filters";

/**
 * A "From" and a "To" field in the browser's time zone, for filters that take
 * a time range. Values are ISO 8601 times, empty when unset.
 */
export function DateRangeFields({ id, from, to, onChange }: { id: string; from: string; to: string; onChange: (range: { from: string; to: string }) => void }) {
  return (
    <>
      <div>
        <label htmlFor={`${id}-from`} className="block text-sm font-medium text-slate-800">
          From (your time zone)
        </label>
        <input
          id={`${id}-from`}
          type="datetime-local"
          className={`${inputClasses} mt-1`}
          value={toLocalInputValue(from)}
          onChange={(event) => onChange({ from: fromLocalInputValue(event.target.value), to })}
        />
      </div>
      <div>
        <label htmlFor={`${id}-to`} className="block text-sm font-medium text-slate-800">
          To
        </label>
        <input
          id={`${id}-to`}
          type="datetime-local"
          className={`${inputClasses} mt-1`}
          value={toLocalInputValue(to)}
          onChange={(event) => onChange({ from, to: fromLocalInputValue(event.target.value) })}
        />
      </div>
    </>
  );
}
