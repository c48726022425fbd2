"use client";

import { type FormEvent, type ReactNode, useState } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FieldFrame, inputClasses } from "@/components/ui/field";
import { ErrorState, SkeletonRows } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import { CapBannerView } from "@/components/usage/cap-banner";
import { CapGauge } from "@/components/usage/cap-gauge";
import { useChangeDailyCap, useReleaseHeldDeliveries } from "@/components/usage/mutations";
import { useWebhookUsage } from "@/components/usage/queries";
import { UsageChart } from "@/components/usage/usage-chart";
import { ApiProblem, type DailyCapToday } from "@/lib/portal/api-client";
import { formatCount, parseDailyCapInput, usageChartRows } from "@/lib/portal/usage";

/**
 * The Usage tab: today's deliveries against the daily cap (gauge, figures and
 * banner), the last 30 days by outcome with the cap, and today by hour. Admins
 * change the cap and release held deliveries here.
 */
export function UsageTab({ webhookId }: { webhookId: string }) {
  const daily = useWebhookUsage(webhookId, "day");
  const hourly = useWebhookUsage(webhookId, "hour");

  if (daily.isPending || hourly.isPending) return <SkeletonRows rows={4} label="Loading usage" />;
  if (daily.isError) return <ErrorState title="The usage could not be loaded" error={daily.error} onRetry={() => void daily.refetch()} />;
  if (hourly.isError) return <ErrorState title="The usage could not be loaded" error={hourly.error} onRetry={() => void hourly.refetch()} />;
  const today = daily.data.today;

  return (
    <section aria-labelledby="usage-heading" className="space-y-4">
      <div>
        <h2 id="usage-heading" className="text-lg font-semibold">
          Usage
        </h2>
        <p className="text-sm text-slate-600">
          Each delivery counts once against the daily cap, on the UTC day it is first sent; retries, replays and test events do not count. Past the cap,
          deliveries are held and go out when the cap resets at 00:00 UTC.
        </p>
      </div>
      <CapBannerView today={today} />
      <div className="grid gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="rounded-lg border border-slate-200 bg-white p-4">
          <h3 className="mb-2 text-base font-semibold text-slate-900">Today</h3>
          <CapGauge today={today} />
        </div>
        <TodayFigures webhookId={webhookId} today={today} />
      </div>
      <UsageChart
        title="Last 30 days"
        description="Deliveries per UTC day by outcome; the dashed line is the daily cap."
        rows={usageChartRows(daily.data.buckets, "day")}
        showCap
        bucketHeading="Day (UTC)"
        testId="daily-usage"
      />
      <UsageChart
        title="Today by hour"
        description={`Deliveries per UTC hour of ${today.day} by outcome. The cap of ${formatCount(today.daily_cap)} applies to the whole day.`}
        rows={usageChartRows(hourly.data.buckets, "hour")}
        showCap={false}
        bucketHeading="Hour (UTC)"
        testId="hourly-usage"
      />
    </section>
  );
}

function TodayFigures({ webhookId, today }: { webhookId: string; today: DailyCapToday }) {
  const canManage = useCanManage();
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dl className="grid gap-4 text-sm sm:grid-cols-2" data-testid="usage-today">
        <Figure label="Used today (UTC)">
          {formatCount(today.used)} of {formatCount(today.daily_cap)}
        </Figure>
        <Figure label="Remaining today">{formatCount(today.remaining)}</Figure>
        <Figure label="Held now">
          {formatCount(today.held)}
          {today.held_until ? (
            <span className="block text-xs text-slate-600">
              next release <RelativeTime value={today.held_until} />
            </span>
          ) : null}
        </Figure>
        <Figure label="Cap resets">
          <RelativeTime value={today.resets_at} />
          <span className="block text-xs text-slate-600">at 00:00 UTC; warning from {formatCount(today.warning_at)}</span>
        </Figure>
      </dl>
      {canManage ? (
        <div className="mt-4 flex flex-wrap items-start justify-between gap-4 border-t border-slate-100 pt-4">
          <DailyCapForm webhookId={webhookId} current={today.daily_cap} />
          {today.held > 0 ? (
            <div className="mt-[26px]">
              <ReleaseHeldButton webhookId={webhookId} held={today.held} />
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-1 text-base text-slate-900 tabular-nums">{children}</dd>
    </div>
  );
}

function DailyCapForm({ webhookId, current }: { webhookId: string; current: number }) {
  const change = useChangeDailyCap(webhookId);
  const [value, setValue] = useState(String(current));
  const [localError, setLocalError] = useState<string | undefined>();
  const apiError = change.error instanceof ApiProblem ? (change.error.fieldMessage("daily_cap") ?? change.error.message) : undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseDailyCapInput(value);
    if (!parsed.ok) {
      setLocalError(parsed.message);
      return;
    }
    setLocalError(undefined);
    change.mutate(parsed.value);
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-start gap-2" noValidate>
      <div className="w-72">
        <FieldFrame label="Daily cap (deliveries per UTC day)" error={localError ?? apiError}>
          {(control) => (
            <input className={inputClasses} inputMode="numeric" value={value} onChange={(event) => setValue(event.target.value)} {...control} />
          )}
        </FieldFrame>
      </div>
      <Button type="submit" pending={change.isPending} pendingLabel="Saving…" className="mt-[26px]">
        Save cap
      </Button>
    </form>
  );
}

function ReleaseHeldButton({ webhookId, held }: { webhookId: string; held: number }) {
  const release = useReleaseHeldDeliveries(webhookId);
  const [confirming, setConfirming] = useState(false);
  const count = held === 1 ? "1 held delivery" : `${formatCount(held)} held deliveries`;
  return (
    <>
      <Button tone="primary" onClick={() => setConfirming(true)}>
        Release held deliveries
      </Button>
      {confirming ? (
        <ConfirmDialog
          title={`Release ${count} now?`}
          confirmLabel="Release now"
          pendingLabel="Releasing…"
          tone="primary"
          pending={release.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => release.mutate(undefined, { onSettled: () => setConfirming(false) })}
        >
          They go out now instead of at 00:00 UTC, oldest first and in order per finding, and count against today&apos;s cap, beyond it. Deliveries of new
          events stay held while today&apos;s cap is used: raise the cap to let them through too.
        </ConfirmDialog>
      ) : null}
    </>
  );
}
