"use client";

import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { FormAlert, TextField } from "@/components/ui/field";
import { ACCOUNT_LOCKED_ERROR, ADDRESS_LOCKED_ERROR, SOURCE_THROTTLED_ERROR } from "@/lib/auth/sign-in-errors";

/** Messages for the error codes next-auth puts in the sign-in page's URL or result. */
function signInErrorMessage(code: string): string {
  if (code === ADDRESS_LOCKED_ERROR) return "Too many failed sign-ins for this account from your network. Wait 15 minutes, then try again.";
  if (code === ACCOUNT_LOCKED_ERROR) {
    return "Too many failed sign-ins for this account from many networks. Sign in from a network you used before, wait up to an hour, or ask your administrator to unlock the account.";
  }
  if (code === SOURCE_THROTTLED_ERROR) return "Too many failed sign-ins from your network. Wait a few minutes, then try again.";
  if (code === "CredentialsSignin") return "The email or password is wrong.";
  if (code === "SessionRequired") return "Sign in to continue.";
  return "Signing in failed. Try again; if it keeps failing, ask your administrator.";
}

export function SignInForm({ callbackPath, initialError }: { callbackPath: string; initialError: string | null }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError ? signInErrorMessage(initialError) : null);
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = { email: email.trim() ? undefined : "Enter your email address", password: password ? undefined : "Enter your password" };
    setMissing(problems);
    if (problems.email || problems.password) return;
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email: email.trim(), password, redirect: false, callbackUrl: callbackPath });
    if (!result || result.error) {
      setPending(false);
      setPassword("");
      setError(signInErrorMessage(result?.error ?? "unknown"));
      return;
    }
    // A full page load, so the portal starts with a fresh data cache for this user.
    window.location.assign(callbackPath);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      {error ? <FormAlert>{error}</FormAlert> : null}
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="username"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        error={missing.email}
        required
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={missing.password}
        required
      />
      <Button type="submit" tone="primary" className="w-full" pending={pending} pendingLabel="Signing in…">
        Sign in
      </Button>
    </form>
  );
}
