"use client";

import { useId } from "react";
import { EVENT_PRESETS, eventGroups, inCatalogOrder, matchingPreset } from "@/lib/portal/event-presets";

const GROUPS = eventGroups();

interface EventPickerProps {
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  error?: string;
}

/** Event-type checkboxes grouped by area, with one-click presets for the documented integration patterns. */
export function EventPicker({ selected, onChange, error }: EventPickerProps) {
  const errorId = useId();
  const chosen = new Set(selected);
  const activePreset = matchingPreset(selected);

  const toggle = (type: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(type);
    else next.delete(type);
    onChange(inCatalogOrder(next));
  };

  return (
    <fieldset className="space-y-4" aria-describedby={error ? errorId : undefined} aria-invalid={error ? true : undefined}>
      <legend className="text-sm font-medium text-slate-800">
        Event types <span className="text-slate-500">(at least one)</span>
      </legend>

      <div>
        <p className="text-sm text-slate-600">Start from a common pattern, then adjust:</p>
        <div className="mt-2 grid gap-2 sm:grid-cols-3">
          {EVENT_PRESETS.map((preset) => (
            <button
              key={preset.id}
              type="button"
              aria-pressed={activePreset?.id === preset.id}
              onClick={() => onChange(inCatalogOrder(preset.events))}
              className={`rounded-md border px-3 py-2 text-left text-sm ${
                activePreset?.id === preset.id ? "border-blue-600 bg-blue-50 text-blue-900" : "border-slate-300 bg-white hover:bg-slate-50"
              }`}
            >
              <span className="block font-medium">{preset.label}</span>
              <span className="mt-0.5 block text-slate-600">{preset.description}</span>
            </button>
          ))}
        </div>
      </div>

      <div className="grid gap-4 md:grid-cols-2">
        {GROUPS.map((group) => (
          <fieldset key={group.area} className="rounded-md border border-slate-200 bg-white p-3">
            <legend className="px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{group.area}</legend>
            <ul className="space-y-2">
              {group.types.map((info) => (
                <li key={info.type}>
                  <label className="flex items-start gap-2 text-sm">
                    <input
                      type="checkbox"
                      className="mt-0.5 h-4 w-4 rounded border-slate-300"
                      checked={chosen.has(info.type)}
                      onChange={(event) => toggle(info.type, event.target.checked)}
                    />
                    <span>
                      <code className="font-mono text-slate-900">{info.type}</code>
                      <span className="block text-slate-600">{info.summary}</span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        ))}
      </div>

      <p className="text-sm text-slate-600">
        {selected.length === 0 ? "No event type selected." : `${selected.length} event type${selected.length === 1 ? "" : "s"} selected.`}{" "}
        <a className="text-blue-700 underline" href="/docs/events">
          What each event contains
        </a>
      </p>
      {error ? (
        <p id={errorId} className="text-sm font-medium text-red-700" data-field-error>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
