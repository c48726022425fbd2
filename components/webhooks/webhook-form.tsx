"use client";

import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { usePortal } from "@/components/shell/portal-context";
import { Button } from "@/components/ui/button";
import { FormAlert, TextAreaField, TextField } from "@/components/ui/field";
import { ApiProblem } from "@/lib/portal/api-client";
import { checkDestinationUrl } from "@/lib/url-safety";
import { EventPicker } from "./event-picker";

/**
 * The create and edit form of a webhook. The URL is checked in the browser
 * with the API's own rules (lib/url-safety.ts), so most mistakes show while
 * typing. What only the server can check comes back as a 422, and its message
 * is shown on the field it names.
 */
export interface WebhookFormValues {
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
}

type FieldName = "url" | "description" | "events";

export const MAX_DESCRIPTION_LENGTH = 500;

interface WebhookFormProps {
  initial: WebhookFormValues;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  // The last failed submission, whose field errors are shown until the field changes.
  serverError: unknown;
  // Edit forms only: submitting is pointless until something changed.
  requireChange?: boolean;
  onSubmit: (values: WebhookFormValues) => void;
  secondaryAction?: ReactNode;
}

export function WebhookForm({ initial, submitLabel, pendingLabel, pending, serverError, requireChange = false, onSubmit, secondaryAction }: WebhookFormProps) {
  const { allowPrivateDestinations } = usePortal();
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<Record<FieldName, boolean>>({ url: false, description: false, events: false });
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const urlInput = useRef<HTMLInputElement>(null);
  const eventsBox = useRef<HTMLDivElement>(null);
  const descriptionInput = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!(serverError instanceof ApiProblem)) {
      setServerErrors({});
      setFormError(null);
      return;
    }
    const byField = {
      url: serverError.fieldMessage("url"),
      events: serverError.fieldMessage("events"),
      description: serverError.fieldMessage("description"),
    };
    setServerErrors(byField);
    const onAField = Object.values(byField).some(Boolean);
    setFormError(onAField ? null : serverError.message);
    if (byField.url) urlInput.current?.focus();
    else if (byField.events) eventsBox.current?.querySelector<HTMLElement>("button, input")?.focus();
    else if (byField.description) descriptionInput.current?.focus();
  }, [serverError]);

  const clientErrors: Partial<Record<FieldName, string>> = {};
  const urlCheck = checkDestinationUrl(values.url, { allowPrivate: allowPrivateDestinations });
  if (!urlCheck.ok) clientErrors.url = urlCheck.message;
  if (values.events.length === 0) clientErrors.events = "Choose at least one event type";
  if (values.description.length > MAX_DESCRIPTION_LENGTH) clientErrors.description = `Keep the description to ${MAX_DESCRIPTION_LENGTH} characters or fewer`;

  const visibleError = (field: FieldName) => serverErrors[field] ?? (touched[field] || submitted ? clientErrors[field] : undefined);

  const change = <K extends keyof WebhookFormValues>(field: K, value: WebhookFormValues[K]) => {
    setValues((current) => ({ ...current, [field]: value }));
    if (field !== "enabled") setServerErrors((current) => ({ ...current, [field]: undefined }));
    setFormError(null);
  };

  const unchanged =
    values.url.trim() === initial.url &&
    values.description.trim() === initial.description &&
    values.enabled === initial.enabled &&
    values.events.join() === initial.events.join();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (clientErrors.url) return urlInput.current?.focus();
    if (clientErrors.events) return eventsBox.current?.querySelector<HTMLElement>("button, input")?.focus();
    if (clientErrors.description) return descriptionInput.current?.focus();
    onSubmit({ ...values, url: values.url.trim(), description: values.description.trim() });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-6">
      {formError ? <FormAlert>{formError}</FormAlert> : null}
      <TextField
        ref={urlInput}
        label="Endpoint URL"
        name="url"
        type="text"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://siem.example.com/hooks/wasviking"
        hint={
          allowPrivateDestinations
            ? "Where deliveries are sent. This deployment also allows plain http and private addresses, for development."
            : "Where deliveries are sent. It must use https and a public address."
        }
        value={values.url}
        onChange={(event) => change("url", event.target.value)}
        onBlur={() => setTouched((current) => ({ ...current, url: true }))}
        error={visibleError("url")}
        required
      />
      <TextAreaField
        ref={descriptionInput}
        label="Description"
        name="description"
        rows={2}
        hint={`What receives these events, for whoever reads this list later. ${values.description.length} of ${MAX_DESCRIPTION_LENGTH} characters.`}
        value={values.description}
        onChange={(event) => change("description", event.target.value)}
        onBlur={() => setTouched((current) => ({ ...current, description: true }))}
        error={visibleError("description")}
      />
      <div ref={eventsBox}>
        <EventPicker
          selected={values.events}
          onChange={(events) => {
            change("events", events);
            setTouched((current) => ({ ...current, events: true }));
          }}
          error={visibleError("events")}
        />
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-0.5 h-4 w-4 rounded border-slate-300" checked={values.enabled} onChange={(event) => change("enabled", event.target.checked)} />
        <span>
          <span className="font-medium text-slate-800">Enabled</span>
          <span className="block text-slate-600">A disabled webhook keeps its settings and secrets but receives no new deliveries.</span>
        </span>
      </label>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" tone="primary" pending={pending} pendingLabel={pendingLabel} disabled={requireChange && unchanged}>
          {submitLabel}
        </Button>
        {secondaryAction}
      </div>
    </form>
  );
}
