// Shared types of the optimiser: trials, their states, and what samplers see of them.

import type { Metrics } from "../backtest/metrics.ts";

/**
 * How a trial ended: `complete` (ran on all the data), `pruned` (stopped at a checkpoint below
 * the median), `invalid` (the strategy's schema refused the parameters, e.g. fast >= slow), or
 * `failed` (the backtest threw).
 */
export type TrialState = "complete" | "pruned" | "invalid" | "failed";

/** One evaluated parameter set. Plain data; numbers are finite except `score`. */
export interface Trial {
  /** 0, 1, 2, ... in proposal order; a resumed study continues the numbering. */
  number: number;
  /** The parameters passed to the strategy: the sampled ones plus the fixed ones. */
  params: Record<string, unknown>;
  state: TrialState;
  /** Objective on all the data (complete trials), or null (not reached, or undefined, e.g. no trades). */
  value: number | null;
  /**
   * What trials are ranked by: `value` for a complete trial that meets the constraints and has a
   * defined objective, else -Infinity.
   */
  score: number;
  /** Objective at each pruning checkpoint the trial reached (null where undefined). */
  intermediate: (number | null)[];
  /** Backtest metrics on all the data (complete trials only). */
  metrics: Metrics | null;
  /** Why a trial is not ranked: invalid parameters, a constraint, pruning, an error. */
  reason: string | null;
}

/** What a sampler learns from a past trial. */
export type Observation = Pick<Trial, "number" | "params" | "state" | "score">;

/** The best trial so far, as progress reports show it. */
export interface BestSoFar {
  number: number;
  value: number;
  params: Record<string, unknown>;
}

/** Progress of a study, reported after each trial. */
export interface OptimizeProgress {
  /** Trials finished in the study (stored ones included). */
  done: number;
  /** Trials the study will have at the end. */
  total: number;
  /** Trials already stored when this call began (a resumed study). */
  startedWith: number;
  best: BestSoFar | null;
  /** Milliseconds since this call began. */
  elapsedMs: number;
  /** The trial that just finished. */
  trial: Trial;
}

/** Ranks trials: higher score first, then lower number. */
export function compareTrials(a: Pick<Trial, "score" | "number">, b: typeof a): number {
  if (a.score !== b.score) return a.score > b.score ? -1 : 1;
  return a.number - b.number;
}

/** The best ranked trial (finite score), or null. */
export function bestTrial<T extends Pick<Trial, "score" | "number">>(
  trials: readonly T[],
): T | null {
  let best: T | null = null;
  for (const t of trials) {
    if (Number.isFinite(t.score) && (best === null || compareTrials(t, best) < 0)) best = t;
  }
  return best;
}
