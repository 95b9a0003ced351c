// Parzen estimators for TPE: truncated Gaussian mixtures (continuous or integer) and smoothed categoricals.

import type { Rng } from "../data/rng.ts";

/**
 * erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit), so
 * tail probabilities keep their relative precision.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? r : 2 - r;
}

/** P(a < Z < b) for a standard normal Z, precise in both tails. */
export function normalMass(a: number, b: number): number {
  if (!(b > a)) return 0;
  // Upper tail Q(x) = erfc(x/√2)/2 is precise for x > 0, the lower tail for x < 0.
  if (a >= 0) return 0.5 * (erfc(a / Math.SQRT2) - erfc(b / Math.SQRT2));
  if (b <= 0) return 0.5 * (erfc(-b / Math.SQRT2) - erfc(-a / Math.SQRT2));
  return 1 - 0.5 * (erfc(-a / Math.SQRT2) + erfc(b / Math.SQRT2));
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(Σ exp(xs)) without overflow; -Infinity for an empty or all -Infinity list. */
function logSumExp(xs: Float64Array): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** A density over one dimension that TPE can sample from and score with. */
export interface Estimator {
  /** A draw (internal coordinates for numbers, an index for categoricals). */
  sample(rng: Rng): number;
  /** log density of a number, or log probability of a category index. */
  logp(y: number): number;
}

/** A numeric estimator, which can also give the log probability of a cell (integer rounding). */
export interface MixtureEstimator extends Estimator {
  /** log P(a < Y < b): the mass of the cell a grid value stands for. */
  logMass(a: number, b: number): number;
}

/**
 * A mixture of Gaussians truncated to [lo, hi], one per observation plus a broad prior at the
 * middle (σ = hi − lo, weight `priorWeight`). Bandwidths follow hyperopt's adaptive Parzen rule:
 * each point's σ is the larger gap to its sorted neighbours (bounds included), clipped to
 * [(hi − lo) / min(100, n + 1), hi − lo].
 */
export function gaussianMixture(
  observed: readonly number[],
  lo: number,
  hi: number,
  priorWeight: number,
): MixtureEstimator {
  const range = hi - lo;
  const prior = (lo + hi) / 2;
  const mus = [...observed, prior].sort((a, b) => a - b);
  const n = mus.length;
  const minSigma = range / Math.min(100, n);
  const sigmas = new Float64Array(n);
  const weights = new Float64Array(n);
  let priorSeen = false;
  for (let i = 0; i < n; i++) {
    const left = mus[i] - (i > 0 ? mus[i - 1] : lo);
    const right = (i < n - 1 ? mus[i + 1] : hi) - mus[i];
    let s = Math.min(range, Math.max(minSigma, left, right));
    let w = 1;
    if (!priorSeen && mus[i] === prior) {
      priorSeen = true;
      s = range;
      w = priorWeight;
    }
    sigmas[i] = s;
    weights[i] = w;
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const logW = new Float64Array(n);
  const logZ = new Float64Array(n);
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weights[i] / total;
    cum[i] = acc;
    logW[i] = Math.log(weights[i] / total);
    logZ[i] = Math.log(normalMass((lo - mus[i]) / sigmas[i], (hi - mus[i]) / sigmas[i]));
  }
  const terms = new Float64Array(n);
  return {
    sample(rng) {
      const u = rng.next();
      let i = 0;
      while (i < n - 1 && u >= cum[i]) i++;
      for (let tries = 0; tries < 1000; tries++) {
        const y = mus[i] + sigmas[i] * rng.normal();
        if (y >= lo && y <= hi) return y;
      }
      return Math.min(hi, Math.max(lo, mus[i]));
    },
    logp(y) {
      for (let i = 0; i < n; i++) {
        const z = (y - mus[i]) / sigmas[i];
        terms[i] = logW[i] - 0.5 * z * z - LOG_SQRT_2PI - Math.log(sigmas[i]) - logZ[i];
      }
      return logSumExp(terms);
    },
    logMass(a, b) {
      const a0 = Math.max(lo, a), b0 = Math.min(hi, b);
      for (let i = 0; i < n; i++) {
        const m = normalMass((a0 - mus[i]) / sigmas[i], (b0 - mus[i]) / sigmas[i]);
        terms[i] = logW[i] + Math.log(m) - logZ[i];
      }
      return logSumExp(terms);
    },
  };
}

/**
 * A categorical over `k` values: observed counts plus `priorWeight` spread evenly (smoothing),
 * so no value ever has probability 0.
 */
export function categorical(
  observed: readonly number[],
  k: number,
  priorWeight: number,
): Estimator {
  const p = new Float64Array(k).fill(priorWeight / k);
  for (const i of observed) p[i] += 1;
  const total = p.reduce((a, b) => a + b, 0);
  const logp = Float64Array.from(p, (x) => Math.log(x / total));
  return {
    sample(rng) {
      let u = rng.next() * total;
      for (let i = 0; i < k; i++) {
        u -= p[i];
        if (u < 0) return i;
      }
      return k - 1;
    },
    logp: (i) => logp[i],
  };
}
