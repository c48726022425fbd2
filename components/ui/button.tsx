"use client";

import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";
import { Spinner } from "./spinner";

/** Buttons and button-styled links of the portal, in four tones. */
export type ButtonTone = "primary" | "secondary" | "danger" | "ghost";

const TONES: Record<ButtonTone, string> = {
  primary: "bg-blue-700 text-white hover:bg-blue-800 disabled:bg-blue-400",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:text-slate-400",
  danger: "bg-red-700 text-white hover:bg-red-800 disabled:bg-red-400",
  ghost: "text-slate-700 hover:bg-slate-100 disabled:text-slate-400",
};

/** Returns the class names of a button of `tone`, for elements that are not a Button. */
export function buttonClasses(tone: ButtonTone = "secondary", extra = ""): string {
  return `inline-flex min-h-9 items-center justify-center gap-2 rounded-md px-3.5 py-1.5 text-sm font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed ${TONES[tone]} ${extra}`;
}

interface ButtonProps extends ComponentProps<"button"> {
  tone?: ButtonTone;
  // Shows a spinner and disables the button while an action runs.
  pending?: boolean;
  pendingLabel?: string;
  children: ReactNode;
}

export function Button({ tone = "secondary", pending = false, pendingLabel, className = "", disabled, children, type = "button", ...rest }: ButtonProps) {
  return (
    <button type={type} className={buttonClasses(tone, className)} disabled={disabled || pending} aria-busy={pending || undefined} {...rest}>
      {pending ? <Spinner /> : null}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

export function ButtonLink({ tone = "secondary", className = "", ...rest }: ComponentProps<typeof Link> & { tone?: ButtonTone }) {
  return <Link className={buttonClasses(tone, className)} {...rest} />;
}
