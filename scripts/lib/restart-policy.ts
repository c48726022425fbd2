import { EXIT_CONFIGURATION_ERROR } from "../../lib/exit-codes";

/**
 * The rule for when `npm start` restarts a service (the portal or the worker)
 * that exited on its own. A crash is followed by a restart after a pause that
 * doubles with each quick crash in a row, so a service that cannot start does
 * not spin. A service that stayed up for `stableAfterMs` starts the count
 * again. After `maxQuickExits` quick restarts in a row, the next quick crash
 * makes the supervisor stop everything, because the cause (a broken build, a
 * database that stays away) will not go away by itself. A service that exits with EXIT_CONFIGURATION_ERROR (an
 * address it cannot listen on, say) is not restarted at all.
 */

export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
  maxQuickExits: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  maxQuickExits: 5,
};

/** Quick crashes in a row so far, as the supervisor keeps it for each service. */
export interface RestartState {
  quickExits: number;
}

export type RestartDecision =
  | { action: "restart"; delayMs: number; state: RestartState }
  | { action: "give-up"; reason: "quick-exits"; quickExits: number }
  | { action: "give-up"; reason: "configuration" };

/** Decides what follows an unexpected exit, with `exitCode` (null after a signal), of a service that ran for `uptimeMs`. */
export function decideRestart(
  state: RestartState,
  uptimeMs: number,
  exitCode: number | null,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  if (exitCode === EXIT_CONFIGURATION_ERROR) return { action: "give-up", reason: "configuration" };
  const quickExits = uptimeMs >= policy.stableAfterMs ? 1 : state.quickExits + 1;
  if (quickExits > policy.maxQuickExits) return { action: "give-up", reason: "quick-exits", quickExits: quickExits - 1 };
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (quickExits - 1));
  return { action: "restart", delayMs, state: { quickExits } };
}
