"use client";

import { useNow } from "@/components/ui/time";
import type { DailyCapToday } from "@/lib/portal/api-client";
import { formatCountdown, formatDateTime } from "@/lib/portal/format";
import { capBanner } from "@/lib/portal/usage";

/** The banner at 80 % of the daily cap and once it is used, with the reset time in UTC and in the browser's zone. */
export function CapBannerView({ today }: { today: DailyCapToday }) {
  const now = useNow(30_000);
  const banner = capBanner(today, formatCountdown(new Date(today.resets_at).getTime() - now.getTime()));
  if (!banner) return null;
  const tone = banner.tone === "danger" ? "border-red-200 bg-red-50 text-red-900" : "border-amber-200 bg-amber-50 text-amber-950";
  return (
    <div role="status" className={`rounded-md border px-4 py-3 text-sm ${tone}`} data-testid="cap-banner">
      <p className="font-semibold">{banner.title}</p>
      <p className="mt-1">{banner.body}</p>
      <p className="mt-1 text-xs">
        Resets at <time dateTime={today.resets_at}>{formatDateTime(today.resets_at)}</time> your time.
      </p>
    </div>
  );
}
