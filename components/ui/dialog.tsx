"use client";

import { type MouseEvent, type ReactNode, type RefObject, useEffect, useId, useRef } from "react";
import { createPortal } from "react-dom";

/**
 * A modal dialog. While it is open the rest of the page is inert (no focus, no
 * clicks, hidden from screen readers), Tab cycles through the dialog's
 * controls, and focus goes back to where it was when the dialog closes. A
 * dialog without `onDismiss` ignores Escape and clicks outside, so it closes
 * only through its own buttons.
 */
export const APP_ROOT_ID = "portal-app";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  // Called on Escape and on a click outside; leave it out for a dialog that must be closed explicitly.
  onDismiss?: () => void;
  initialFocus?: RefObject<HTMLElement | null>;
  size?: "md" | "lg";
  role?: "dialog" | "alertdialog";
  // "side" opens a full-height panel on the right whose header and footer stay put while the body scrolls.
  placement?: "center" | "side";
}

interface OpenDialog {
  panel: HTMLElement;
  returnFocus: HTMLElement | null;
}

// Dialogs open now, the top one last. Only the top one handles keys, and the page stays inert until the last one closes.
const openDialogs: OpenDialog[] = [];
let bodyOverflow = "";

function focusableIn(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.offsetParent !== null || element === document.activeElement);
}

export function Dialog({ title, description, children, footer, onDismiss, initialFocus, size = "md", role = "dialog", placement = "center" }: DialogProps) {
  const titleId = useId();
  const descriptionId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;

  useEffect(() => {
    const container = panel.current!;
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // A dialog opened from another one (a confirmation that leads to a result) returns focus where the first one would have.
    // Focus may already have fallen to <body>, when the confirming button was disabled while its action ran.
    const focusLost = active === null || active === document.body;
    const opener = openDialogs.find((open) => open.panel.contains(active)) ?? (focusLost ? openDialogs[openDialogs.length - 1] : undefined);
    const entry: OpenDialog = { panel: container, returnFocus: opener ? opener.returnFocus : active };
    openDialogs.push(entry);
    const appRoot = document.getElementById(APP_ROOT_ID);
    if (openDialogs.length === 1) {
      appRoot?.setAttribute("inert", "");
      bodyOverflow = document.body.style.overflow;
      document.body.style.overflow = "hidden";
    }
    (initialFocus?.current ?? focusableIn(container)[0] ?? container).focus();

    const onKeyDown = (event: KeyboardEvent) => {
      if (openDialogs[openDialogs.length - 1] !== entry) return;
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        dismiss.current?.();
        return;
      }
      if (event.key !== "Tab") return;
      const focusable = focusableIn(container);
      if (focusable.length === 0) {
        event.preventDefault();
        container.focus();
        return;
      }
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      const focused = document.activeElement;
      if (event.shiftKey && (focused === first || !container.contains(focused))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (focused === last || !container.contains(focused))) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener("keydown", onKeyDown, true);

    return () => {
      document.removeEventListener("keydown", onKeyDown, true);
      const wasOnTop = openDialogs[openDialogs.length - 1] === entry;
      openDialogs.splice(openDialogs.indexOf(entry), 1);
      if (openDialogs.length === 0) {
        appRoot?.removeAttribute("inert");
        document.body.style.overflow = bodyOverflow;
        if (entry.returnFocus?.isConnected) entry.returnFocus.focus();
      } else if (wasOnTop) {
        const top = openDialogs[openDialogs.length - 1]!.panel;
        (focusableIn(top)[0] ?? top).focus();
      }
    };
    // Runs once per opening: the dialog takes focus when it mounts and gives it back when it unmounts.
  }, []);

  const onBackdropMouseDown = (event: MouseEvent<HTMLDivElement>) => {
    if (event.target === event.currentTarget) dismiss.current?.();
  };

  const side = placement === "side";
  const backdropClasses = side
    ? "fixed inset-0 z-40 flex justify-end bg-slate-900/40"
    : "fixed inset-0 z-40 flex items-end justify-center bg-slate-900/50 p-0 sm:items-center sm:p-6";
  const panelClasses = side
    ? "flex h-full w-full flex-col bg-white shadow-xl outline-none sm:max-w-3xl"
    : `max-h-[92vh] w-full overflow-y-auto rounded-t-xl bg-white shadow-xl outline-none sm:rounded-xl ${size === "lg" ? "sm:max-w-2xl" : "sm:max-w-lg"}`;

  return createPortal(
    <div className={backdropClasses} onMouseDown={onBackdropMouseDown}>
      <div
        ref={panel}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        className={panelClasses}
      >
        <div className="shrink-0 border-b border-slate-200 px-5 py-4">
          <h2 id={titleId} className="text-lg font-semibold text-slate-900">
            {title}
          </h2>
          {description ? (
            <div id={descriptionId} className="mt-1 text-sm text-slate-600">
              {description}
            </div>
          ) : null}
        </div>
        {children ? <div className={side ? "min-h-0 flex-1 overflow-y-auto px-5 py-4" : "px-5 py-4"}>{children}</div> : null}
        {footer ? <div className="flex shrink-0 flex-wrap justify-end gap-2 border-t border-slate-200 px-5 py-3">{footer}</div> : null}
      </div>
    </div>,
    document.body,
  );
}
