// Exact OHLCV aggregation from a timeframe to a longer one on UTC boundaries (weeks on Monday).

import { allocColumns, type CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";

/** Options for {@link resample}. */
export interface ResampleOptions {
  /**
   * Open time of the last source candle known to be closed, default the last input candle's `ts`.
   * A bucket is emitted only if it ends by `lastTs + fromMs`; pass a later time when the
   * source is known to run on past its last candle (so a final bucket with a trailing gap counts).
   */
  lastTs?: number;
}

/** Result of {@link resample}. */
export interface ResampleResult {
  candles: CandleColumns;
  /** Emitted buckets built from fewer children than a full bucket holds (gaps in the source). */
  partial: number;
}

/**
 * Checks that candles of `from` can be aggregated into `to`: `to` must be a whole multiple of
 * `from` and every `to` boundary must fall on the `from` grid. Returns how many `from`
 * candles fill one `to` bucket; throws ConfigError naming both otherwise.
 */
export function resampleFactor(from: string, to: string): number {
  const fromMs = timeframeMs(from);
  const toMs = timeframeMs(to);
  if (toMs < fromMs || toMs % fromMs !== 0) {
    throw new ConfigError(
      `Cannot resample ${from} candles to ${to}: ${to} is not a whole multiple of ${from}.`,
    );
  }
  // Any bucket start serves as the origin: all of them are equal modulo the bucket length.
  const toOrigin = floorToTimeframe(0, to);
  if (floorToTimeframe(toOrigin, from) !== toOrigin) {
    throw new ConfigError(
      `Cannot resample ${from} candles to ${to}: ${to} buckets start at times that are not ${from} boundaries.`,
    );
  }
  return toMs / fromMs;
}

/**
 * Aggregates candles sorted by `ts` into a longer timeframe, in one O(n) pass.
 *
 * open = first child's open, close = last child's close, high = max, low = min,
 * volume = sum. The last bucket is dropped when it is not complete (it ends after
 * `lastTs + fromMs`). Buckets with some children missing are emitted from the children that
 * exist, as exchanges do, and counted in `partial`; buckets with no children are not emitted.
 *
 * @example
 * ```ts
 * const { candles, partial } = resample(oneMinute, "1m", "1h");
 * // candles.ts are whole UTC hours; partial counts hours with missing minutes
 * ```
 */
export function resample(
  cols: CandleColumns,
  from: string,
  to: string,
  options: ResampleOptions = {},
): ResampleResult {
  const factor = resampleFactor(from, to);
  const fromMs = timeframeMs(from);
  const toMs = timeframeMs(to);
  const origin = floorToTimeframe(0, to); // a bucket start (weeks: a Monday)
  const n = cols.ts.length;
  if (n === 0) return { candles: allocColumns(0), partial: 0 };

  const { ts, open, high, low, close, volume } = cols;
  const lastTs = options.lastTs ?? ts[n - 1];
  const limit = lastTs + fromMs; // a bucket must end by here to be complete
  const firstBucket = Math.floor((ts[0] - origin) / toMs) * toMs + origin;
  const lastBucket = Math.floor((ts[n - 1] - origin) / toMs) * toMs + origin;
  const cap = Math.min(n, Math.floor((lastBucket - firstBucket) / toMs) + 1);
  const out = allocColumns(cap);

  let k = 0;
  let partial = 0;
  let bucket = firstBucket;
  let bucketEnd = bucket + toMs;
  let o = open[0], h = high[0], l = low[0], c = close[0], v = volume[0];
  let children = 1;
  let prevTs = ts[0];

  const flush = (): void => {
    if (bucketEnd > limit) return;
    out.ts[k] = bucket;
    out.open[k] = o;
    out.high[k] = h;
    out.low[k] = l;
    out.close[k] = c;
    out.volume[k] = v;
    k++;
    if (children < factor) partial++;
  };

  for (let i = 1; i < n; i++) {
    const t = ts[i];
    if (t >= bucketEnd) {
      flush();
      bucket = Math.floor((t - origin) / toMs) * toMs + origin;
      bucketEnd = bucket + toMs;
      o = open[i];
      h = high[i];
      l = low[i];
      c = close[i];
      v = volume[i];
      children = 1;
    } else {
      if (high[i] > h) h = high[i];
      if (low[i] < l) l = low[i];
      c = close[i];
      v += volume[i];
      if (t !== prevTs) children++;
    }
    prevTs = t;
  }
  flush();

  const candles = k === cap ? out : {
    ts: out.ts.slice(0, k),
    open: out.open.slice(0, k),
    high: out.high.slice(0, k),
    low: out.low.slice(0, k),
    close: out.close.slice(0, k),
    volume: out.volume.slice(0, k),
  };
  return { candles, partial };
}
