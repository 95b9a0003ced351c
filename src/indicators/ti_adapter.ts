// Long-tail indicators served by technicalindicators, re-aligned to the candle index (batch only).

import {
  cci as tiCci,
  ichimokucloud,
  mfi as tiMfi,
  psar as tiPsar,
  williamsr as tiWilliamsR,
} from "technicalindicators";
import type { CandleColumns } from "../core/candles.ts";
import { checkLengths, checkPeriod, nanArray } from "./common.ts";

export * from "./ti_patterns.ts";

/*
 * technicalindicators returns only the values it has, dropping the warm-up, so its arrays are
 * shorter than the input. Every wrapper here puts them back on the candle index with
 * {@link alignTail} (NaN in front), which is valid because each wrapped indicator drops only a
 * fixed-length prefix. These are BATCH ONLY: there is no incremental form, and each call
 * converts the columns to plain arrays and runs technicalindicators' generator code (measured
 * 0.6M candles/s for Ichimoku, 1-2M for CCI/Williams %R/MFI, 8M for PSAR; the patterns in
 * ti_patterns.ts 0.25-1M), so compute them once per data set, not per live candle.
 * technicalindicators' running highest-high starts at 0, so Ichimoku and Williams %R are wrong
 * on all-negative data (never the case for prices).
 */

/** High and low columns. */
export type HighLowColumns = Pick<CandleColumns, "high" | "low">;
/** High, low and close columns. */
export type HlcColumns = Pick<CandleColumns, "high" | "low" | "close">;
/** High, low, close and volume columns. */
export type HlcvColumns = Pick<CandleColumns, "high" | "low" | "close" | "volume">;

/**
 * Aligns a technicalindicators result (which omits the warm-up) to `n` candles: the values fill
 * the END of the returned array and the front is NaN; `undefined`/`null` entries become NaN.
 *
 * @example
 * ```ts
 * alignTail([5, 6], 4); // [NaN, NaN, 5, 6]
 * ```
 */
export function alignTail(values: ArrayLike<number | null | undefined>, n: number): Float64Array {
  const m = values.length;
  if (m > n) throw new RangeError(`alignTail: ${m} values do not fit in ${n} candles.`);
  const out = nanArray(n);
  const off = n - m;
  for (let j = 0; j < m; j++) {
    const v = values[j];
    out[off + j] = typeof v === "number" ? v : NaN;
  }
  return out;
}

function plain(col: Float64Array): number[] {
  return Array.from(col);
}

/** Ichimoku periods; the defaults are the classic 9 / 26 / 52 / 26. */
export interface IchimokuOptions {
  conversionPeriod?: number;
  basePeriod?: number;
  spanPeriod?: number;
  displacement?: number;
}

/** Ichimoku columns, aligned to the candle index. */
export interface IchimokuResult {
  /** Tenkan-sen: (highest high + lowest low) / 2 over `conversionPeriod`. */
  conversion: Float64Array;
  /** Kijun-sen: the same over `basePeriod`. */
  base: Float64Array;
  /** Senkou span A computed AT this candle, (conversion + base) / 2 — charted `displacement` ahead. */
  spanA: Float64Array;
  /** Senkou span B computed AT this candle, the mid-range over `spanPeriod`. */
  spanB: Float64Array;
  /** The cloud edge over this candle: spanA from `displacement` candles earlier. */
  cloudA: Float64Array;
  /** The cloud edge over this candle: spanB from `displacement` candles earlier. */
  cloudB: Float64Array;
}

function shift(src: Float64Array, by: number): Float64Array {
  const out = new Float64Array(src.length).fill(NaN);
  for (let i = by; i < src.length; i++) out[i] = src[i - by];
  return out;
}

/**
 * Ichimoku cloud through technicalindicators. Notes on its definition: (1) it withholds every
 * line until max(conversionPeriod, basePeriod, spanPeriod, displacement) candles exist (index 51
 * with the defaults), even the conversion line; (2) its spanA/spanB are NOT displaced — they
 * are the values computed at the candle, which a chart draws `displacement` candles later. We
 * return them as such and add `cloudA`/`cloudB`, the same values shifted forward by
 * `displacement` (the cloud actually over each candle; no look-ahead). The lagging span (close
 * drawn 26 candles back) is not provided: aligned to its own candle it would be the close.
 *
 * @example
 * ```ts
 * const { conversion, base, cloudA, cloudB } = ichimoku(candles);
 * ```
 */
export function ichimoku(cols: HighLowColumns, options: IchimokuOptions = {}): IchimokuResult {
  const conversionPeriod = options.conversionPeriod ?? 9;
  const basePeriod = options.basePeriod ?? 26;
  const spanPeriod = options.spanPeriod ?? 52;
  const displacement = options.displacement ?? 26;
  for (const p of [conversionPeriod, basePeriod, spanPeriod, displacement]) {
    checkPeriod("ichimoku", p);
  }
  const n = checkLengths("ichimoku", cols.high, cols.low);
  const rows = ichimokucloud({
    high: plain(cols.high),
    low: plain(cols.low),
    conversionPeriod,
    basePeriod,
    spanPeriod,
    displacement,
  });
  const spanA = alignTail(rows.map((r) => r.spanA), n);
  const spanB = alignTail(rows.map((r) => r.spanB), n);
  return {
    conversion: alignTail(rows.map((r) => r.conversion), n),
    base: alignTail(rows.map((r) => r.base), n),
    spanA,
    spanB,
    cloudA: shift(spanA, displacement),
    cloudB: shift(spanB, displacement),
  };
}

/**
 * Parabolic SAR through technicalindicators (a value from the first candle on: it starts long
 * with SAR = the first low). `step` is the acceleration step, `max` its cap.
 *
 * @example
 * ```ts
 * const sar = psar(candles, 0.02, 0.2);
 * ```
 */
export function psar(cols: HighLowColumns, step = 0.02, max = 0.2): Float64Array {
  if (!(step > 0) || !(max >= step)) {
    throw new RangeError(`psar: need 0 < step <= max, got step ${step}, max ${max}.`);
  }
  const n = checkLengths("psar", cols.high, cols.low);
  return alignTail(tiPsar({ high: plain(cols.high), low: plain(cols.low), step, max }), n);
}

/**
 * Commodity channel index through technicalindicators: (tp - SMA(tp)) / (0.015 * mean absolute
 * deviation), tp = (high + low + close) / 3; first value at index period - 1.
 *
 * @example
 * ```ts
 * const c = cci(candles, 20);
 * ```
 */
export function cci(cols: HlcColumns, period = 20): Float64Array {
  checkPeriod("cci", period);
  const n = checkLengths("cci", cols.high, cols.low, cols.close);
  const values = tiCci({
    high: plain(cols.high),
    low: plain(cols.low),
    close: plain(cols.close),
    period,
  });
  return alignTail(values, n);
}

/**
 * Williams %R through technicalindicators: ((highest high - close) / (highest high - lowest
 * low)) * -100 over `period`, in [-100, 0]; first value at index period - 1.
 *
 * @example
 * ```ts
 * const r = williamsR(candles, 14);
 * ```
 */
export function williamsR(cols: HlcColumns, period = 14): Float64Array {
  checkPeriod("williamsR", period);
  const n = checkLengths("williamsR", cols.high, cols.low, cols.close);
  const values = tiWilliamsR({
    high: plain(cols.high),
    low: plain(cols.low),
    close: plain(cols.close),
    period,
  });
  return alignTail(values, n);
}

/**
 * Money flow index through technicalindicators, ROUNDED TO 2 DECIMALS as it returns it. Its
 * quirk: the first candle's typical price is never used (money flow starts with the change from
 * candle 1 to candle 2), so the first value is at index period + 1, not `period`.
 *
 * @example
 * ```ts
 * const m = mfi(candles, 14); // m[15] is the first value
 * ```
 */
export function mfi(cols: HlcvColumns, period = 14): Float64Array {
  checkPeriod("mfi", period);
  const n = checkLengths("mfi", cols.high, cols.low, cols.close, cols.volume);
  const values = tiMfi({
    high: plain(cols.high),
    low: plain(cols.low),
    close: plain(cols.close),
    volume: plain(cols.volume),
    period,
  });
  return alignTail(values, n);
}
