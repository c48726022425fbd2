/**
 * Smoothing of bursts: each webhook's automatic attempts are spaced by a
 * generic cell rate algorithm (GCRA, the virtual-scheduling form of a token
 * bucket). A webhook that was idle may receive `burst` attempts at once; beyond
 * that, attempts start `1 / ratePerSecond` apart. Nothing is refused: an
 * attempt over the rate gets a later start time (a slot) and waits for it.
 *
 * The state is one time per webhook (the earliest start of the next attempt
 * beyond the burst), stored in webhook_budgets and changed under its row
 * lock, so any number of workers share one pace.
 */
export interface PacingSettings {
  ratePerSecond: number;
  burst: number;
}

// 100 per second after a burst of 1,000: a day's default cap of 50,000 arrives in about 8 minutes.
export const DEFAULT_PACING: PacingSettings = { ratePerSecond: 100, burst: 1000 };

export interface SlotAssignment {
  // Start time of each attempt, in the order given; a time at or before `now` means "now".
  slots: Date[];
  // The state to store for the next call.
  nextSlotAt: Date;
}

/**
 * Assigns start times to `count` attempts of one webhook that are due at
 * `now`, given the stored state (null for a webhook never paced). Times are
 * rounded up to the millisecond, so the pace is never faster than the rate.
 */
export function assignSlots(nextSlotAt: Date | null, count: number, now: Date, settings: PacingSettings): SlotAssignment {
  const intervalMs = 1000 / settings.ratePerSecond;
  const toleranceMs = (settings.burst - 1) * intervalMs;
  const start = Math.max(nextSlotAt?.getTime() ?? now.getTime(), now.getTime());
  const slots: Date[] = [];
  for (let index = 0; index < count; index++) {
    const earliest = Math.ceil(start + index * intervalMs - toleranceMs);
    slots.push(new Date(Math.max(now.getTime(), earliest)));
  }
  return { slots, nextSlotAt: new Date(Math.ceil(start + count * intervalMs)) };
}
