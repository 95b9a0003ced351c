// Volatility estimators on candle columns: close-to-close, range-based (Parkinson, GK, RS, YZ), RV.

import type { CandleColumns } from "../core/candles.ts";
import { timeframeMs } from "../core/timeframe.ts";

/*
 * Conventions shared by every estimator here:
 *  - Input is a window of n candles (already cut to the wanted length), prices > 0, sorted by ts.
 *  - Each estimator first computes a per-bar variance σ², then annualises it:
 *    σ_annual = sqrt(P · σ²) with P = periods per year of the timeframe (365-day crypto year,
 *    trading never stops), e.g. P(1h) = 8760, P(1d) = 365.
 *  - Results are fractions: 0.6 means 60 % a year. NaN when there is too little data.
 *  - Return-based estimators use the n − 1 bar-to-bar pairs; range-based ones use all n bars
 *    (Yang–Zhang, which needs the previous close, uses the n − 1 bars that have one).
 *  - A gap in the candles makes one return span more than one bar; we do not rescale it.
 */

const YEAR_MS = 365 * 86_400_000;
const LN2 = Math.LN2;

/**
 * Periods of `timeframe` in a 365-day year: the annualisation factor for variances.
 *
 * @example
 * ```ts
 * periodsPerYear("1h"); // 8760
 * periodsPerYear("1d"); // 365
 * ```
 */
export function periodsPerYear(timeframe: string): number {
  return YEAR_MS / timeframeMs(timeframe);
}

/** sqrt(P · variance), NaN when the variance is NaN; a negative variance (GK only) gives 0. */
export function annualise(variance: number, periodsYear: number): number {
  if (!(variance === variance)) return NaN;
  return Math.sqrt(periodsYear * Math.max(0, variance));
}

/** Sample variance (divisor m − 1) of `xs`; NaN with fewer than 2 values. */
function sampleVariance(xs: Float64Array): number {
  const m = xs.length;
  if (m < 2) return NaN;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += xs[i];
  mean /= m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (xs[i] - mean) ** 2;
  return ss / (m - 1);
}

/**
 * Close-to-close per-bar variance: r_i = ln(C_i / C_{i−1}) for i = 1..n−1, and
 * σ² = Σ (r_i − r̄)² / (N − 1) with N = n − 1 returns (the textbook sample variance).
 * NaN for fewer than 3 candles.
 *
 * @example
 * ```ts
 * const vol = annualise(closeToCloseVar(window), periodsPerYear("1h"));
 * ```
 */
export function closeToCloseVar(c: CandleColumns): number {
  const n = c.close.length;
  if (n < 3) return NaN;
  const r = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) r[i - 1] = Math.log(c.close[i] / c.close[i - 1]);
  return sampleVariance(r);
}

/**
 * Parkinson (1980) per-bar variance from the high–low range:
 * σ² = Σ ln(H_i / L_i)² / (4 · ln 2 · n) over all n bars. Unbiased for a driftless random walk
 * observed continuously; reads low when the range is sampled coarsely. NaN for no candles.
 */
export function parkinsonVar(c: CandleColumns): number {
  const n = c.high.length;
  if (n < 1) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(c.high[i] / c.low[i]) ** 2;
  return s / (4 * LN2 * n);
}

/**
 * Garman–Klass (1980) per-bar variance:
 * σ² = (1/n) Σ [ ½ · ln(H_i/L_i)² − (2 ln 2 − 1) · ln(C_i/O_i)² ] over all n bars.
 * Assumes no drift and no opening jump. Can come out negative on odd data; it then annualises
 * to 0. NaN for no candles.
 */
export function garmanKlassVar(c: CandleColumns): number {
  const n = c.high.length;
  if (n < 1) return NaN;
  const k = 2 * LN2 - 1;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += 0.5 * Math.log(c.high[i] / c.low[i]) ** 2 - k * Math.log(c.close[i] / c.open[i]) ** 2;
  }
  return s / n;
}

/** Rogers–Satchell term of bar i: ln(H/C)·ln(H/O) + ln(L/C)·ln(L/O) (never negative). */
function rsTerm(c: CandleColumns, i: number): number {
  const h = c.high[i], l = c.low[i], o = c.open[i], x = c.close[i];
  return Math.log(h / x) * Math.log(h / o) + Math.log(l / x) * Math.log(l / o);
}

/**
 * Rogers–Satchell (1991) per-bar variance, unbiased under drift:
 * σ² = (1/n) Σ [ ln(H_i/C_i) · ln(H_i/O_i) + ln(L_i/C_i) · ln(L_i/O_i) ] over all n bars.
 * NaN for no candles.
 */
export function rogersSatchellVar(c: CandleColumns): number {
  const n = c.high.length;
  if (n < 1) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += rsTerm(c, i);
  return s / n;
}

/** Yang–Zhang's weight k for N periods: 0.34 / (1.34 + (N + 1) / (N − 1)). */
export function yangZhangK(periods: number): number {
  return 0.34 / (1.34 + (periods + 1) / (periods - 1));
}

/** Yang–Zhang variance and the k it used. */
export interface YangZhangResult {
  /** Per-bar variance (annualise with {@link annualise}). */
  variance: number;
  /** The weight of the open-to-close variance. */
  k: number;
}

/**
 * Yang–Zhang (2000) per-bar variance over the N = n − 1 bars that have a previous close:
 * o_i = ln(O_i / C_{i−1}) (opening jump), c_i = ln(C_i / O_i) (open to close), and
 * σ² = σ²_o + k · σ²_c + (1 − k) · σ²_RS, where σ²_o and σ²_c are sample variances (N − 1),
 * σ²_RS is the Rogers–Satchell mean over the same bars, and k = 0.34 / (1.34 + (N+1)/(N−1)).
 * On 24/7 crypto markets o_i is nearly 0, so YZ is mostly a blend of open-to-close and RS.
 * NaN for fewer than 3 candles.
 *
 * @example
 * ```ts
 * const { variance, k } = yangZhangVar(window);
 * const vol = annualise(variance, periodsPerYear("4h"));
 * ```
 */
export function yangZhangVar(c: CandleColumns): YangZhangResult {
  const n = c.close.length;
  if (n < 3) return { variance: NaN, k: NaN };
  const N = n - 1;
  const o = new Float64Array(N);
  const oc = new Float64Array(N);
  let rs = 0;
  for (let i = 1; i < n; i++) {
    o[i - 1] = Math.log(c.open[i] / c.close[i - 1]);
    oc[i - 1] = Math.log(c.close[i] / c.open[i]);
    rs += rsTerm(c, i);
  }
  const k = yangZhangK(N);
  const variance = sampleVariance(o) + k * sampleVariance(oc) + (1 - k) * (rs / N);
  return { variance, k };
}

/** Realised volatility from lower-timeframe candles. */
export interface RealizedVolResult {
  /** Annualised realised volatility (NaN when coverage is too thin). */
  vol: number;
  /** Lower-timeframe returns used (M). */
  returns: number;
  /** M divided by the returns a gap-free window would give (0..1). */
  coverage: number;
}

/**
 * Realised volatility of the span [from, to) from candles of a lower timeframe `tfLow`
 * (e.g. 5m candles for a 1h window): ρ_j = ln(C_j / C_{j−1}) for each pair of consecutive
 * lower candles both inside the span and exactly `tfLow` apart (pairs across a gap are
 * skipped), and RV = sqrt(P_low · (1/M) · Σ ρ_j²), M the number of such returns, P_low the
 * periods per year of `tfLow`. Not de-meaned (the usual RV definition). NaN when M < 2 or when
 * fewer than `minCoverage` (default 0.5) of the expected (to − from)/tfLow − 1 returns exist.
 *
 * @example
 * ```ts
 * const { vol } = realizedVol(fiveMinute, "5m", windowStart, windowEnd);
 * ```
 */
export function realizedVol(
  low: CandleColumns,
  tfLow: string,
  from: number,
  to: number,
  minCoverage = 0.5,
): RealizedVolResult {
  const step = timeframeMs(tfLow);
  const ts = low.ts, cl = low.close;
  let sum = 0;
  let m = 0;
  for (let j = 1; j < ts.length; j++) {
    if (ts[j - 1] < from || ts[j] >= to || ts[j] - ts[j - 1] !== step) continue;
    sum += Math.log(cl[j] / cl[j - 1]) ** 2;
    m++;
  }
  const expected = Math.max(1, Math.floor((to - from) / step) - 1);
  const coverage = Math.min(1, m / expected);
  const vol = m >= 2 && coverage >= minCoverage ? Math.sqrt(periodsPerYear(tfLow) * sum / m) : NaN;
  return { vol, returns: m, coverage };
}

/**
 * Kaufman's efficiency ratio over the window: |C_{n−1} − C_0| / Σ |C_i − C_{i−1}|, in [0, 1]:
 * 1 is a straight line, near 0 is back-and-forth chop. 0 when the path has no length, NaN for
 * fewer than 2 candles.
 *
 * @example
 * ```ts
 * efficiencyRatio(window); // 0.12: mostly chop
 * ```
 */
export function efficiencyRatio(c: CandleColumns): number {
  const n = c.close.length;
  if (n < 2) return NaN;
  let path = 0;
  for (let i = 1; i < n; i++) path += Math.abs(c.close[i] - c.close[i - 1]);
  return path === 0 ? 0 : Math.abs(c.close[n - 1] - c.close[0]) / path;
}
