// Volatility indicators: Bollinger Bands and ATR (Wilder), batch kernels and incremental states.

import { checkLengths, checkPeriod, trueRange } from "./common.ts";
import { rma, RmaState, sma, SmaState } from "./moving_averages.ts";
import { rollingStdev, RollingStdevState } from "./rolling.ts";

/** Bollinger Bands columns, aligned to the input index. */
export interface BollingerResult {
  /** SMA of the input (bit-identical to {@link sma}). */
  middle: Float64Array;
  /** middle + k * population stdev. */
  upper: Float64Array;
  /** middle - k * population stdev. */
  lower: Float64Array;
}

/** One candle's Bollinger Bands values. */
export interface BollingerValue {
  middle: number;
  upper: number;
  lower: number;
}

function checkK(k: number): void {
  if (!Number.isFinite(k)) throw new RangeError(`bollinger: k must be a finite number, got ${k}.`);
}

/**
 * Bollinger Bands: middle = SMA(period), upper/lower = middle +/- k * stdev, where stdev is the
 * POPULATION standard deviation over the same window (as technicalindicators computes it:
 * `upper = sma + sd * k`). Window kernel: NaN during warm-up and while a NaN is in the window.
 * Equal to technicalindicators' BollingerBands within ~1e-13 relative (running-sum rounding);
 * like its SD, it drops windows whose SMA is exactly 0 (`if (calcSMA)`), which we do not. Its
 * extra `pb` (%B) output is not provided: it is (x - lower) / (upper - lower).
 *
 * @example
 * ```ts
 * const { middle, upper, lower } = bollinger(closes, 20, 2);
 * ```
 */
export function bollinger(src: Float64Array, period = 20, k = 2): BollingerResult {
  checkPeriod("bollinger", period);
  checkK(k);
  const middle = sma(src, period);
  const sd = rollingStdev(src, period);
  const n = src.length;
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = middle[i];
    const w = sd[i] * k;
    upper[i] = m + w;
    lower[i] = m - w;
  }
  return { middle, upper, lower };
}

/**
 * Incremental Bollinger Bands; `update` returns (a fresh object with) exactly what
 * {@link bollinger} gives at that index.
 *
 * @example
 * ```ts
 * const bb = new BollingerState(20, 2);
 * const { upper, lower } = bb.update(close);
 * ```
 */
export class BollingerState {
  /** Window length. */
  readonly period: number;
  /** Band width in standard deviations. */
  readonly k: number;
  #sma: SmaState;
  #sd: RollingStdevState;

  /** Creates an empty state. */
  constructor(period = 20, k = 2) {
    checkPeriod("BollingerState", period);
    checkK(k);
    this.period = period;
    this.k = k;
    this.#sma = new SmaState(period);
    this.#sd = new RollingStdevState(period);
  }

  /** Feeds the next value; returns the bands at this index (NaN during warm-up). */
  update(x: number): BollingerValue {
    const middle = this.#sma.update(x);
    const w = this.#sd.update(x) * this.k;
    return { middle, upper: middle + w, lower: middle - w };
  }
}

/**
 * True range per candle: NaN for the first valid candle (no previous close, as in
 * technicalindicators) and for candles with a NaN input, which are skipped (the next candle's
 * true range uses the last valid close).
 */
function trueRanges(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
  const n = high.length;
  const tr = new Float64Array(n);
  let pc = NaN;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    if (h !== h || l !== l || c !== c) {
      tr[i] = NaN;
      continue;
    }
    tr[i] = trueRange(h, l, pc);
    pc = c;
  }
  return tr;
}

/**
 * Average true range, Wilder-smoothed ({@link rma} of the true range). As in technicalindicators
 * the first candle has no true range (it needs a previous close), so the first ATR is at index
 * `period`: the mean of the true ranges of candles 1..period. Candles with a NaN input give NaN
 * and are skipped. Bit-identical to technicalindicators' ATR.
 *
 * @example
 * ```ts
 * const a = atr(high, low, close, 14); // a[14] is the first value
 * ```
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 14,
): Float64Array {
  checkPeriod("atr", period);
  checkLengths("atr", high, low, close);
  return rma(trueRanges(high, low, close), period);
}

/**
 * Incremental ATR; `update(high, low, close)` returns exactly what {@link atr} gives.
 *
 * @example
 * ```ts
 * const s = new AtrState(14);
 * const value = s.update(high, low, close); // NaN for the first 14 candles
 * ```
 */
export class AtrState {
  /** Smoothing length. */
  readonly period: number;
  #rma: RmaState;
  #pc = NaN;

  /** Creates an empty state. */
  constructor(period = 14) {
    checkPeriod("AtrState", period);
    this.period = period;
    this.#rma = new RmaState(period);
  }

  /** Feeds the next candle; returns the ATR at this index (NaN during warm-up). */
  update(high: number, low: number, close: number): number {
    if (high !== high || low !== low || close !== close) return NaN;
    const tr = trueRange(high, low, this.#pc);
    this.#pc = close;
    return this.#rma.update(tr);
  }
}
