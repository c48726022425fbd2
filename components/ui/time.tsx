"use client";

import { useEffect, useRef, useState } from "react";
import { formatCountdown, formatDateTime, formatRelativeTime } from "@/lib/portal/format";

/** Re-renders every `intervalMs` and returns the current time. */
export function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** A time shown relative to now ("5 min ago"), with the exact time in a tooltip and for machines. */
export function RelativeTime({ value }: { value: string }) {
  const now = useNow(30_000);
  return (
    <time dateTime={value} title={formatDateTime(value)}>
      {formatRelativeTime(value, now)}
    </time>
  );
}

/** A live countdown to `deadline` that ticks every second and calls `onExpired` once it has passed. */
export function Countdown({ deadline, onExpired }: { deadline: string; onExpired?: () => void }) {
  const now = useNow(1000);
  const left = new Date(deadline).getTime() - now.getTime();
  const expired = left <= 0;
  const notified = useRef(false);
  useEffect(() => {
    if (!expired || notified.current) return;
    notified.current = true;
    onExpired?.();
  }, [expired, onExpired]);
  return (
    <time dateTime={deadline} title={formatDateTime(deadline)} className="tabular-nums">
      {formatCountdown(left)}
    </time>
  );
}
