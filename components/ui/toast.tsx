"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";

/**
 * Short notices after an action ("Webhook created", or the API's error). They
 * sit outside the app's root element, so screen readers still announce them
 * while a modal makes the rest of the page inert.
 */
type ToastTone = "success" | "error";

interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

interface Toaster {
  success(message: string): void;
  error(message: string): void;
}

const TOAST_DURATION_MS: Record<ToastTone, number> = { success: 4000, error: 10000 };
// Older notices make way for new ones, so a burst of actions does not cover the page.
const MAX_TOASTS = 3;

const ToastContext = createContext<Toaster | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [mounted, setMounted] = useState(false);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    setMounted(true);
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
  }, []);

  const show = useCallback(
    (tone: ToastTone, message: string) => {
      const id = nextId.current++;
      setToasts((current) => [...current.slice(-(MAX_TOASTS - 1)), { id, tone, message }]);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), TOAST_DURATION_MS[tone]),
      );
    },
    [dismiss],
  );

  const toaster = useMemo<Toaster>(() => ({ success: (message) => show("success", message), error: (message) => show("error", message) }), [show]);

  return (
    <ToastContext.Provider value={toaster}>
      {children}
      {mounted
        ? createPortal(
            <div className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
              <div role="status" aria-live="polite" className="contents">
                {toasts.filter((toast) => toast.tone === "success").map((toast) => (
                  <ToastCard key={toast.id} toast={toast} onDismiss={dismiss} />
                ))}
              </div>
              <div role="alert" aria-live="assertive" className="contents">
                {toasts.filter((toast) => toast.tone === "error").map((toast) => (
                  <ToastCard key={toast.id} toast={toast} onDismiss={dismiss} />
                ))}
              </div>
            </div>,
            document.body,
          )
        : null}
    </ToastContext.Provider>
  );
}

function ToastCard({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const colours = toast.tone === "success" ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-red-300 bg-red-50 text-red-900";
  return (
    <div className={`pointer-events-auto flex w-full max-w-md items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${colours}`} data-toast={toast.tone}>
      <p className="flex-1 break-words">{toast.message}</p>
      <button type="button" className="rounded px-1 text-current opacity-70 hover:opacity-100" onClick={() => onDismiss(toast.id)} aria-label="Dismiss notification">
        ×
      </button>
    </div>
  );
}

/** Returns the toaster of the portal; components call it after an action. */
export function useToast(): Toaster {
  const toaster = useContext(ToastContext);
  if (!toaster) throw new Error("useToast must be called inside <ToastProvider>");
  return toaster;
}
