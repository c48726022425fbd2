"use client";

import { type ComponentProps, type ReactNode, useId } from "react";

/**
 * Labelled form fields. Each links its hint and error to the control with
 * aria-describedby and marks an invalid control with aria-invalid, so screen
 * readers read the message with the field.
 */
interface FieldFrameProps {
  label: string;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  children: (control: { id: string; "aria-describedby"?: string; "aria-invalid"?: true }) => ReactNode;
}

export function FieldFrame({ label, hint, error, required, children }: FieldFrameProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
        {required ? <span className="text-slate-500"> (required)</span> : null}
      </label>
      {children({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint ? (
        <p id={hintId} className="text-sm text-slate-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-red-700" data-field-error>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export const inputClasses =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 aria-[invalid=true]:border-red-600 disabled:bg-slate-100";

export function TextField({ label, hint, error, required, ...input }: Omit<FieldFrameProps, "children"> & ComponentProps<"input">) {
  return (
    <FieldFrame label={label} hint={hint} error={error} required={required}>
      {(control) => <input className={inputClasses} required={required} {...input} {...control} />}
    </FieldFrame>
  );
}

export function TextAreaField({ label, hint, error, required, ...textarea }: Omit<FieldFrameProps, "children"> & ComponentProps<"textarea">) {
  return (
    <FieldFrame label={label} hint={hint} error={error} required={required}>
      {(control) => <textarea className={inputClasses} required={required} {...textarea} {...control} />}
    </FieldFrame>
  );
}

/** A message about the whole form, such as an error the API gave for no particular field. */
export function FormAlert({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900">
      {children}
    </div>
  );
}
