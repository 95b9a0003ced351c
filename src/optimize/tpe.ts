// Tree-structured Parzen estimator (TPE): proposes the next parameters from the trials so far.
//
// The algorithm (Bergstra et al. 2011, as in hyperopt and Optuna's independent sampler):
//   1. Rank the past trials: complete trials that meet the constraints by objective, best first;
//      everything else (pruned, invalid, failed, constraint-violating, undefined objective)
//      scores -Infinity and ranks last. The top n_good = max(1, ceil(gamma × n)) ranked trials
//      with a finite score are the "good" group, all the others the "bad" group. Invalid trials
//      sit in the bad group on purpose: the sampler learns to stay away from, e.g., fast >= slow.
//   2. Per dimension, fit a Parzen estimator l(x) to the good group and g(x) to the bad group:
//      numbers (in ln x with `log`) get a mixture of Gaussians truncated to the bounds, one per
//      trial plus a wide prior, with adaptive bandwidths (see parzen.ts); integer and stepped
//      dimensions are scored by the mass of their grid cell [x − step/2, x + step/2] (integer
//      rounding), categoricals by smoothed frequencies. Dimensions are independent.
//   3. Draw `candidates` points from l(x) and propose the one with the largest
//      Σ_d log l_d(x_d) − log g_d(x_d), i.e. the largest l(x)/g(x) (the expected-improvement
//      maximiser). Points already tried (or proposed earlier in the batch) are skipped; when every
//      candidate was tried, another round is drawn, then a uniform unseen point.
//   4. The first `startup` trials of a study are uniform random draws.
// Parallel batches: the trials of one batch are all proposed from the history before the
// batch, one after another from one seeded stream, so a batch does not depend on how many workers
// evaluate it or in which order they finish (see optimize.ts).

import { createRng } from "../data/rng.ts";
import type { Rng } from "../data/rng.ts";
import { categorical, type Estimator, gaussianMixture, type MixtureEstimator } from "./parzen.ts";
import { type ChoiceValue, type Dimension, pointKey, type SearchSpace, snap } from "./space.ts";
import type { Observation } from "./types.ts";

/** TPE settings, stored with a study. */
export interface TpeOptions {
  /** Trials drawn uniformly before TPE starts [10]. */
  startup?: number;
  /** Share of ranked trials in the good group [0.2]. */
  gamma?: number;
  /** Candidates drawn from l(x) per proposal [24]. */
  candidates?: number;
  /** Weight of the wide prior component in every estimator [1]. */
  priorWeight?: number;
}

/** TPE settings with every default filled in. */
export type TpeSettings = Required<TpeOptions>;

/** Fills in the TPE defaults. */
export function tpeSettings(o: TpeOptions = {}): TpeSettings {
  return {
    startup: o.startup ?? 10,
    gamma: o.gamma ?? 0.2,
    candidates: o.candidates ?? 24,
    priorWeight: o.priorWeight ?? 1,
  };
}

type Point = Record<string, ChoiceValue>;

/** One dimension's pair of estimators and how to score a value with them. */
interface DimModel {
  dim: Dimension;
  draw(rng: Rng): ChoiceValue;
  score(v: ChoiceValue): number;
}

function internal(d: Exclude<Dimension, { kind: "choice" }>) {
  const half = (d.step ?? 0) / 2;
  const t = d.log ? Math.log : (x: number) => x;
  return { t, half, lo: t(d.low - half), hi: t(d.high + half) };
}

function dimModel(d: Dimension, good: unknown[], bad: unknown[], prior: number): DimModel {
  if (d.kind === "choice") {
    const idx = (vs: unknown[]) =>
      vs.map((v) => d.values.indexOf(v as ChoiceValue)).filter((i) => i >= 0);
    const l: Estimator = categorical(idx(good), d.values.length, prior);
    const g: Estimator = categorical(idx(bad), d.values.length, prior);
    return {
      dim: d,
      draw: (rng) => d.values[l.sample(rng)],
      score: (v) => {
        const i = d.values.indexOf(v);
        return l.logp(i) - g.logp(i);
      },
    };
  }
  const { t, half, lo, hi } = internal(d);
  const nums = (vs: unknown[]) => vs.filter((v): v is number => typeof v === "number").map(t);
  const l: MixtureEstimator = gaussianMixture(nums(good), lo, hi, prior);
  const g: MixtureEstimator = gaussianMixture(nums(bad), lo, hi, prior);
  const cell = half > 0;
  return {
    dim: d,
    draw: (rng) => {
      const y = l.sample(rng);
      return snap(d, d.log ? Math.exp(y) : y);
    },
    score: (v) => {
      const x = v as number;
      if (!cell) return l.logp(t(x)) - g.logp(t(x));
      const a = t(x - half), b = t(x + half);
      return l.logMass(a, b) - g.logMass(a, b);
    },
  };
}

/** Splits the history into the good and bad groups (step 1 of the header). */
export function splitHistory(
  history: readonly Observation[],
  gamma: number,
): { good: Observation[]; bad: Observation[] } {
  const ranked = [...history].sort((a, b) =>
    a.score !== b.score ? (a.score > b.score ? -1 : 1) : a.number - b.number
  );
  const finite = ranked.filter((o) => Number.isFinite(o.score)).length;
  const nGood = Math.min(finite, Math.max(1, Math.ceil(gamma * ranked.length)));
  return { good: ranked.slice(0, nGood), bad: ranked.slice(nGood) };
}

/**
 * Proposes `count` points for trials `start`, `start + 1`, ... from `history` (the trials
 * before `start`). `fallback` draws a uniform point not in `seen` (or null when none is left).
 * Returns fewer points when the space runs out.
 */
export function proposeTpe(
  space: SearchSpace,
  history: readonly Observation[],
  start: number,
  count: number,
  rng: Rng,
  settings: TpeSettings,
  seen: Set<string>,
  fallback: (rng: Rng, seen: Set<string>) => Point | null,
): Point[] {
  const { good, bad } = splitHistory(history, settings.gamma);
  const models = good.length === 0 ? null : space.dims.map((d) =>
    dimModel(
      d,
      good.map((o) => o.params[d.name]),
      bad.map((o) => o.params[d.name]),
      settings.priorWeight,
    )
  );
  const out: Point[] = [];
  for (let i = 0; i < count; i++) {
    let p: Point | null = null;
    if (models && start + i >= settings.startup) {
      p = bestCandidate(space, models, rng, settings, seen);
    }
    p ??= fallback(rng, seen);
    if (!p) break;
    seen.add(pointKey(space, p));
    out.push(p);
  }
  return out;
}

function bestCandidate(
  space: SearchSpace,
  models: DimModel[],
  rng: Rng,
  settings: TpeSettings,
  seen: Set<string>,
): Point | null {
  for (let round = 0; round < 10; round++) {
    let best: Point | null = null;
    let bestScore = -Infinity;
    for (let c = 0; c < settings.candidates; c++) {
      const p: Point = {};
      let s = 0;
      for (const m of models) {
        const v = m.draw(rng);
        p[m.dim.name] = v;
        s += m.score(v);
      }
      if (seen.has(pointKey(space, p))) continue;
      if (best === null || s > bestScore) (best = p, bestScore = s);
    }
    if (best) return best;
  }
  return null;
}

/** The seeded stream of one batch: a study's batch always gets the same draws. */
export function batchRng(seed: number | string, sampler: string, start: number): Rng {
  return createRng(`${typeof seed}:${seed}/${sampler}/${start}`);
}
