"use client";

import { PolarAngleAxis, RadialBar, RadialBarChart } from "recharts";
import type { DailyCapToday } from "@/lib/portal/api-client";
import { capPercent, formatCount } from "@/lib/portal/usage";

const STATE_COLOURS: Record<DailyCapToday["state"], string> = { ok: "#047857", warning: "#b45309", reached: "#b91c1c" };

/** A half-circle gauge of today's deliveries against the daily cap, exposed to assistive technology as a meter. */
export function CapGauge({ today }: { today: DailyCapToday }) {
  const percent = capPercent(today.used, today.daily_cap);
  const text = `${formatCount(today.used)} of ${formatCount(today.daily_cap)} deliveries today (${percent}%)`;
  return (
    <div
      role="meter"
      aria-label="Deliveries today against the daily cap"
      aria-valuemin={0}
      aria-valuemax={today.daily_cap}
      aria-valuenow={today.used}
      aria-valuetext={text}
      className="relative mx-auto w-full max-w-[240px]"
      data-testid="cap-gauge"
    >
      <RadialBarChart
        data={[{ value: Math.min(percent, 100) }]}
        startAngle={180}
        endAngle={0}
        // Radii are shares of half the chart's smaller side, its height here: 200% reaches the top edge.
        innerRadius="150%"
        outerRadius="200%"
        cx="50%"
        cy="100%"
        margin={{ top: 4, right: 4, bottom: 0, left: 4 }}
        style={{ width: "100%", aspectRatio: "2 / 1" }}
        responsive
      >
        <PolarAngleAxis type="number" domain={[0, 100]} tick={false} axisLine={false} />
        <RadialBar dataKey="value" background={{ fill: "#e2e8f0" }} fill={STATE_COLOURS[today.state]} cornerRadius={6} isAnimationActive={false} />
      </RadialBarChart>
      <div aria-hidden="true" className="absolute inset-x-0 bottom-0 text-center">
        <span className="block text-2xl font-semibold text-slate-900 tabular-nums">{percent}%</span>
        <span className="block text-xs text-slate-600 tabular-nums">
          {formatCount(today.used)} / {formatCount(today.daily_cap)}
        </span>
      </div>
    </div>
  );
}
