"use client";

import { type ReactNode, useId, useState } from "react";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";
import { Button } from "@/components/ui/button";
import { formatCount, type UsageChartRow } from "@/lib/portal/usage";

/** Colours of the outcomes, the same in every usage view; each also has a name in the legend, the tooltip and the table. */
export const OUTCOME_COLOURS = { succeeded: "#047857", failed: "#b91c1c", held: "#b45309", cap: "#0f172a" } as const;

interface UsageChartProps {
  title: string;
  description: ReactNode;
  rows: readonly UsageChartRow[];
  // Draws each day's cap as a line: meaningful for daily buckets only.
  showCap: boolean;
  // Names the first column of the table, for example "Day (UTC)".
  bucketHeading: string;
  testId?: string;
}

/**
 * Deliveries per bucket stacked by outcome, with the cap as a line, and the
 * same numbers as a table for screen readers and for reading exact values.
 */
export function UsageChart({ title, description, rows, showCap, bucketHeading, testId }: UsageChartProps) {
  const id = useId();
  const [asTable, setAsTable] = useState(false);
  const totals = rows.reduce((sum, row) => ({ succeeded: sum.succeeded + row.succeeded, failed: sum.failed + row.failed, held: sum.held + row.held }), {
    succeeded: 0,
    failed: 0,
    held: 0,
  });
  const summary = `${formatCount(totals.succeeded)} succeeded, ${formatCount(totals.failed)} failed, ${formatCount(totals.held)} held over ${rows.length} ${bucketHeading.toLowerCase().startsWith("hour") ? "hours" : "days"}`;

  return (
    <figure aria-labelledby={`${id}-title`} className="rounded-lg border border-slate-200 bg-white p-4" data-testid={testId}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <figcaption className="min-w-0">
          <h3 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            {title}
          </h3>
          <p className="mt-0.5 text-sm text-slate-600">{description}</p>
          <p className="mt-0.5 text-sm text-slate-600">{summary}.</p>
        </figcaption>
        <Button onClick={() => setAsTable(!asTable)} aria-controls={`${id}-view`} aria-expanded={asTable}>
          {asTable ? "Show chart" : "Show table"}
        </Button>
      </div>
      <div id={`${id}-view`} className="mt-4">
        {asTable ? <UsageTable rows={rows} showCap={showCap} bucketHeading={bucketHeading} caption={title} /> : <Chart rows={rows} showCap={showCap} summary={`${title}: ${summary}`} />}
      </div>
    </figure>
  );
}

function Chart({ rows, showCap, summary }: { rows: readonly UsageChartRow[]; showCap: boolean; summary: string }) {
  return (
    <div role="img" aria-label={summary}>
      <ComposedChart responsive data={[...rows]} style={{ width: "100%", height: 280 }} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e8f0" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12, fill: "#475569" }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis allowDecimals={false} tickFormatter={(value: number) => formatCount(value)} tick={{ fontSize: 12, fill: "#475569" }} width={64} />
        <Tooltip content={(props) => <UsageTooltip active={props.active} payload={props.payload} showCap={showCap} />} />
        <Legend wrapperStyle={{ fontSize: 13 }} itemSorter={null} />
        <Bar dataKey="succeeded" name="Succeeded" stackId="outcome" fill={OUTCOME_COLOURS.succeeded} isAnimationActive={false} />
        <Bar dataKey="failed" name="Failed" stackId="outcome" fill={OUTCOME_COLOURS.failed} isAnimationActive={false} />
        <Bar dataKey="held" name="Held by the cap" stackId="outcome" fill={OUTCOME_COLOURS.held} isAnimationActive={false} />
        {showCap ? (
          <Line dataKey="cap" name="Daily cap" type="stepAfter" stroke={OUTCOME_COLOURS.cap} strokeDasharray="6 4" strokeWidth={2} dot={false} isAnimationActive={false} />
        ) : null}
      </ComposedChart>
    </div>
  );
}

interface UsageTooltipProps {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
  showCap: boolean;
}

function UsageTooltip({ active, payload, showCap }: UsageTooltipProps) {
  const row = payload?.[0]?.payload as UsageChartRow | undefined;
  if (!active || !row) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm shadow-md">
      <p className="font-semibold text-slate-900">{row.title}</p>
      <dl className="mt-1 grid grid-cols-[auto_auto] gap-x-4 tabular-nums">
        <dt className="text-slate-600">Succeeded</dt>
        <dd className="text-right">{formatCount(row.succeeded)}</dd>
        <dt className="text-slate-600">Failed</dt>
        <dd className="text-right">{formatCount(row.failed)}</dd>
        <dt className="text-slate-600">Held by the cap</dt>
        <dd className="text-right">{formatCount(row.held)}</dd>
        <dt className="text-slate-600">Counted against the cap</dt>
        <dd className="text-right">{formatCount(row.counted)}</dd>
        {showCap && row.cap !== null ? (
          <>
            <dt className="text-slate-600">Daily cap</dt>
            <dd className="text-right">{formatCount(row.cap)}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

/** The chart's numbers as a table, newest first. */
export function UsageTable({ rows, showCap, bucketHeading, caption }: { rows: readonly UsageChartRow[]; showCap: boolean; bucketHeading: string; caption: string }) {
  return (
    <div className="max-h-96 overflow-auto rounded-md border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="sticky top-0 bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-3 py-2">
              {bucketHeading}
            </th>
            <th scope="col" className="px-3 py-2 text-right">Succeeded</th>
            <th scope="col" className="px-3 py-2 text-right">Failed</th>
            <th scope="col" className="px-3 py-2 text-right">Held</th>
            <th scope="col" className="px-3 py-2 text-right">Counted</th>
            {showCap ? <th scope="col" className="px-3 py-2 text-right">Daily cap</th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 tabular-nums">
          {[...rows].reverse().map((row) => (
            <tr key={row.title}>
              <th scope="row" className="px-3 py-1.5 text-left font-normal whitespace-nowrap text-slate-800">
                {row.title}
              </th>
              <td className="px-3 py-1.5 text-right">{formatCount(row.succeeded)}</td>
              <td className="px-3 py-1.5 text-right">{formatCount(row.failed)}</td>
              <td className="px-3 py-1.5 text-right">{formatCount(row.held)}</td>
              <td className="px-3 py-1.5 text-right">{formatCount(row.counted)}</td>
              {showCap ? <td className="px-3 py-1.5 text-right">{row.cap === null ? "—" : formatCount(row.cap)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
