// Downsampling for charts: candles merged into standard timeframes, lines to min/max per pixel.

import { allocColumns, type CandleColumns } from "../../core/candles.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 1970-01-05 00:00 UTC: weekly buckets start on Mondays, as on exchanges. */
const WEEK_ORIGIN_MS = 4 * DAY;

/** Bucket lengths candles are merged into, smallest first (exchange timeframes). */
export const CANDLE_BUCKETS_MS: readonly number[] = [
  MINUTE,
  3 * MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  4 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  3 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
];

/**
 * The shortest bucket in {@link CANDLE_BUCKETS_MS} (never below `baseMs`) that covers
 * `spanMs` in at most `maxBuckets` buckets; multiples of 4 weeks beyond that.
 *
 * @example
 * ```ts
 * bucketMsFor(365 * 86_400_000, 60_000, 440); // 86_400_000: a year of 1m candles drawn as 1d
 * ```
 */
export function bucketMsFor(spanMs: number, baseMs: number, maxBuckets: number): number {
  const max = Math.max(1, Math.floor(maxBuckets));
  for (const b of CANDLE_BUCKETS_MS) {
    if (b < baseMs) continue;
    if (Math.floor(spanMs / b) + 1 <= max) return b;
  }
  const last = CANDLE_BUCKETS_MS[CANDLE_BUCKETS_MS.length - 1];
  return Math.ceil((Math.floor(spanMs / max) + 1) / last) * last;
}

/**
 * Start of the bucket of length `bucketMs` holding `ts` (UTC grid; whole weeks start on Monday).
 *
 * @example
 * ```ts
 * bucketStart(Date.UTC(2024, 0, 3, 15), 86_400_000); // Date.UTC(2024, 0, 3)
 * ```
 */
export function bucketStart(ts: number, bucketMs: number): number {
  const origin = bucketMs % (7 * DAY) === 0 ? WEEK_ORIGIN_MS : 0;
  return Math.floor((ts - origin) / bucketMs) * bucketMs + origin;
}

/**
 * Merges sorted candles into buckets of `bucketMs` on the UTC grid: open of the first candle,
 * highest high, lowest low, close of the last, summed volume; `ts` is the bucket's start.
 *
 * @example
 * ```ts
 * const daily = bucketCandles(minuteCandles, 86_400_000);
 * ```
 */
export function bucketCandles(c: CandleColumns, bucketMs: number): CandleColumns {
  const n = c.ts.length;
  let buckets = 0;
  for (let i = 0, last = NaN; i < n; i++) {
    const b = bucketStart(c.ts[i], bucketMs);
    if (b !== last) buckets++, last = b;
  }
  const out = allocColumns(buckets);
  let j = -1;
  for (let i = 0, last = NaN; i < n; i++) {
    const b = bucketStart(c.ts[i], bucketMs);
    if (b !== last) {
      last = b;
      j++;
      out.ts[j] = b;
      out.open[j] = c.open[i];
      out.high[j] = c.high[i];
      out.low[j] = c.low[i];
      out.volume[j] = 0;
    }
    if (c.high[i] > out.high[j]) out.high[j] = c.high[i];
    if (c.low[i] < out.low[j]) out.low[j] = c.low[i];
    out.close[j] = c.close[i];
    out.volume[j] += c.volume[i];
  }
  return out;
}

/**
 * The candle step: the smallest positive gap between the first 1000 open times (60 s for one).
 *
 * @example
 * ```ts
 * inferStepMs(new Float64Array([0, 60_000, 180_000])); // 60000
 * ```
 */
export function inferStepMs(ts: ArrayLike<number>): number {
  let step = Infinity;
  for (let i = 1; i < Math.min(ts.length, 1000); i++) {
    const d = ts[i] - ts[i - 1];
    if (d > 0 && d < step) step = d;
  }
  return Number.isFinite(step) ? step : MINUTE;
}

/** A downsampled series, in time order. */
export interface Series {
  ts: number[];
  v: number[];
}

/**
 * Keeps, for each of `buckets` equal time slices (one per pixel column), the points holding the
 * slice's minimum and maximum (`keep: "minmax"`) or only its minimum (`"min"`, for drawdown
 * areas), in time order, plus the first and last points. A line drawn through the result covers
 * the same pixels as one through every point, with at most `2 * buckets + 2` points. Non-finite
 * values are dropped; a series short enough is returned whole.
 *
 * @example
 * ```ts
 * const small = minMaxPerBucket(curve.ts, curve.equity, 880); // ≤ 1762 points
 * ```
 */
export function minMaxPerBucket(
  ts: ArrayLike<number>,
  v: ArrayLike<number>,
  buckets: number,
  keep: "minmax" | "min" = "minmax",
): Series {
  const n = Math.min(ts.length, v.length);
  const out: Series = { ts: [], v: [] };
  const push = (i: number) => {
    if (out.ts.length && out.ts[out.ts.length - 1] === ts[i] && out.v[out.v.length - 1] === v[i]) {
      return;
    }
    out.ts.push(ts[i]);
    out.v.push(v[i]);
  };
  if (n === 0) return out;
  const perBucket = keep === "min" ? 1 : 2;
  if (n <= perBucket * buckets + 2) {
    for (let i = 0; i < n; i++) if (Number.isFinite(v[i])) push(i);
    return out;
  }
  const t0 = ts[0];
  const span = Math.max(1, ts[n - 1] - t0);
  let bucket = -1, lo = -1, hi = -1;
  const flush = () => {
    if (lo < 0) return;
    if (keep === "min") push(lo);
    else if (lo === hi) push(lo);
    else if (lo < hi) push(lo), push(hi);
    else push(hi), push(lo);
  };
  const first = Array.prototype.findIndex.call(v, Number.isFinite);
  if (first >= 0) push(first);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) continue;
    const b = Math.min(buckets - 1, Math.floor(((ts[i] - t0) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = hi = i;
    } else {
      if (x < v[lo]) lo = i;
      if (x > v[hi]) hi = i;
    }
  }
  flush();
  for (let i = n - 1; i >= 0; i--) {
    if (Number.isFinite(v[i])) {
      push(i);
      break;
    }
  }
  return out;
}

/**
 * A readable timeframe for a bucket length: "1m", "4h", "1d", "1w".
 *
 * @example
 * ```ts
 * timeframeLabel(14_400_000); // "4h"
 * ```
 */
export function timeframeLabel(ms: number): string {
  const units: [number, string][] = [[7 * DAY, "w"], [DAY, "d"], [HOUR, "h"], [MINUTE, "m"]];
  for (const [u, s] of units) if (ms >= u && ms % u === 0) return `${ms / u}${s}`;
  return `${ms / 1000}s`;
}
