// Median pruner: stop a trial whose objective on the first part of the data trails the median.
//
// A trial is first backtested on a prefix of the data (by default the first 25 %, then 50 %),
// which is exactly what the full run has seen by then (indicators and fills only look back).
// If its objective there is below the median of the complete trials' objectives at the same
// checkpoint, it is stopped and recorded as "pruned". The medians come only from trials of
// earlier batches, so pruning does not depend on worker count or finishing order. Cost: a
// trial that survives runs 1 + Σ checkpoints of the data (1.75× with the defaults); one pruned
// at the first checkpoint runs 0.25×.

import { ConfigError } from "../core/errors.ts";
import type { Trial } from "./types.ts";

/** Pruning settings. */
export interface PruneOptions {
  /** Fractions of the data to check at, ascending, each in (0, 1) [0.25, 0.5]. */
  checkpoints?: number[];
  /** Complete trials with a value at a checkpoint before it prunes anything [5]. */
  warmup?: number;
}

/** Pruning settings with defaults filled in (stored with a study). */
export type PruneSettings = Required<PruneOptions>;

/** Fills in and checks pruning settings; `false`/undefined means no pruning (null). */
export function pruneSettings(p: boolean | PruneOptions | undefined): PruneSettings | null {
  if (!p) return null;
  const o = p === true ? {} : p;
  const checkpoints = o.checkpoints ?? [0.25, 0.5];
  const warmup = o.warmup ?? 5;
  checkpoints.forEach((c, i) => {
    if (!(c > 0 && c < 1) || (i > 0 && !(c > checkpoints[i - 1]))) {
      throw new ConfigError(
        `Pruning checkpoints ${
          JSON.stringify(checkpoints)
        } must be ascending fractions between 0 and 1.`,
      );
    }
  });
  if (!(Number.isInteger(warmup) && warmup >= 1)) {
    throw new ConfigError(`Pruning warmup ${warmup} must be a whole number of at least 1.`);
  }
  return { checkpoints: [...checkpoints], warmup };
}

/** Median of finite numbers (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The bar to clear at each checkpoint: the median of complete trials' values there, or null
 * (no pruning at that checkpoint) while fewer than `warmup` trials have one.
 */
export function pruneThresholds(
  history: readonly Pick<Trial, "state" | "intermediate">[],
  settings: PruneSettings,
): (number | null)[] {
  return settings.checkpoints.map((_, j) => {
    const xs: number[] = [];
    for (const t of history) {
      const v = t.intermediate[j];
      if (t.state === "complete" && typeof v === "number" && Number.isFinite(v)) xs.push(v);
    }
    return xs.length >= settings.warmup ? median(xs) : null;
  });
}
