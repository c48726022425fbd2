"use client";

import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FormAlert, TextField } from "@/components/ui/field";
import { type Scope, SCOPE_DESCRIPTIONS, SCOPES } from "@/lib/auth/principal";
import { ApiProblem } from "@/lib/portal/api-client";

const MAX_NAME_LENGTH = 100;

interface CreateApiKeyDialogProps {
  pending: boolean;
  serverError: unknown;
  onSubmit: (input: { name: string; scopes: Scope[] }) => void;
  onCancel: () => void;
}

/** The form of a new API key: a name that says who uses it, and the scopes it may use. */
export function CreateApiKeyDialog({ pending, serverError, onSubmit, onCancel }: CreateApiKeyDialogProps) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<{ name?: string; scopes?: string; form?: string }>({});
  const nameInput = useRef<HTMLInputElement>(null);
  const scopesErrorId = useId();

  useEffect(() => {
    if (!(serverError instanceof ApiProblem)) return setServerErrors({});
    const byField = { name: serverError.fieldMessage("name"), scopes: serverError.fieldMessage("scopes") };
    setServerErrors({ ...byField, form: byField.name || byField.scopes ? undefined : serverError.message });
  }, [serverError]);

  const nameError = serverErrors.name ?? (submitted && !name.trim() ? "Name the key after the script or system that will use it" : undefined);
  const scopesError = serverErrors.scopes ?? (submitted && scopes.length === 0 ? "Choose at least one scope" : undefined);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (!name.trim()) return nameInput.current?.focus();
    if (scopes.length === 0) return;
    onSubmit({ name: name.trim(), scopes: SCOPES.filter((scope) => scopes.includes(scope)) });
  }

  return (
    <Dialog title="Create an API key" onDismiss={pending ? undefined : onCancel} initialFocus={nameInput}>
      <form onSubmit={submit} noValidate className="space-y-5">
        {serverErrors.form ? <FormAlert>{serverErrors.form}</FormAlert> : null}
        <TextField
          ref={nameInput}
          label="Name"
          name="name"
          autoComplete="off"
          maxLength={MAX_NAME_LENGTH}
          hint="Who or what uses the key, for example “SIEM exporter (prod)”."
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            setServerErrors((current) => ({ ...current, name: undefined }));
          }}
          error={nameError}
          required
        />
        <fieldset aria-describedby={scopesError ? scopesErrorId : undefined}>
          <legend className="text-sm font-medium text-slate-800">Scopes</legend>
          <p className="text-sm text-slate-600">Give the key only what its user needs.</p>
          <ul className="mt-2 space-y-2">
            {SCOPES.map((scope) => (
              <li key={scope}>
                <label className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5 h-4 w-4 rounded border-slate-300"
                    checked={scopes.includes(scope)}
                    onChange={(event) => {
                      setScopes((current) => (event.target.checked ? [...current, scope] : current.filter((item) => item !== scope)));
                      setServerErrors((current) => ({ ...current, scopes: undefined }));
                    }}
                  />
                  <span>
                    <code className="font-mono text-slate-900">{scope}</code>
                    <span className="block text-slate-600">{SCOPE_DESCRIPTIONS[scope]}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {scopesError ? (
            <p id={scopesErrorId} className="mt-2 text-sm font-medium text-red-700" data-field-error>
              {scopesError}
            </p>
          ) : null}
        </fieldset>
        <div className="flex flex-wrap justify-end gap-2 border-t border-slate-200 pt-4">
          <Button onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" tone="primary" pending={pending} pendingLabel="Creating…">
            Create API key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
