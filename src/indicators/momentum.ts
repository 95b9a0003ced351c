// Momentum indicators: RSI (Wilder), ROC and MACD, batch kernels and incremental states.

import { checkPeriod } from "./common.ts";
import { ema, EmaState } from "./moving_averages.ts";

/**
 * RSI from Wilder-averaged gain and loss, with technicalindicators' edge rules: average loss 0
 * gives 100 (also for a flat series), else average gain 0 gives 0.
 */
function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return 100;
  if (avgGain === 0) return 0;
  return 100 - 100 / (1 + avgGain / avgLoss);
}

/**
 * Relative strength index with Wilder smoothing. The first value is at index `period` (it needs
 * `period` price changes): average gain/loss = plain mean of the first `period` changes, then
 * `avg = (avg * (period - 1) + change) / period` — technicalindicators' exact operations, so the
 * unrounded values match it bit for bit. DIFFERENCE: technicalindicators rounds RSI to 2
 * decimals (`parseFloat(rsi.toFixed(2))`, except the exact 100 and 0 cases); we do not round.
 * A NaN close gives NaN and is skipped (the next change is measured from the last valid close).
 *
 * @example
 * ```ts
 * const r = rsi(closes, 14); // r[14] is the first value; 0..100
 * ```
 */
export function rsi(close: Float64Array, period = 14): Float64Array {
  checkPeriod("rsi", period);
  const n = close.length;
  const p = period;
  const pm1 = p - 1;
  const out = new Float64Array(n);
  let prev = NaN;
  let count = 0;
  let gainSum = 0;
  let lossSum = 0;
  let avgGain = 0;
  let avgLoss = 0;
  for (let i = 0; i < n; i++) {
    const x = close[i];
    if (x !== x || prev !== prev) {
      if (x === x) prev = x;
      out[i] = NaN;
      continue;
    }
    let gain = x - prev;
    gain = gain > 0 ? gain : 0;
    let loss = prev - x;
    loss = loss > 0 ? loss : 0;
    prev = x;
    if (count < p) {
      gainSum += gain;
      lossSum += loss;
      if (++count < p) {
        out[i] = NaN;
        continue;
      }
      avgGain = gainSum / p;
      avgLoss = lossSum / p;
    } else {
      avgGain = (avgGain * pm1 + gain) / p;
      avgLoss = (avgLoss * pm1 + loss) / p;
    }
    out[i] = rsiOf(avgGain, avgLoss);
  }
  return out;
}

/**
 * Incremental RSI; `update` returns exactly what {@link rsi} gives at that index.
 *
 * @example
 * ```ts
 * const s = new RsiState(14);
 * const value = s.update(close); // NaN for the first 14 closes
 * ```
 */
export class RsiState {
  /** Smoothing length. */
  readonly period: number;
  #prev = NaN;
  #count = 0;
  #gainSum = 0;
  #lossSum = 0;
  #avgGain = 0;
  #avgLoss = 0;

  /** Creates an empty state. */
  constructor(period = 14) {
    checkPeriod("RsiState", period);
    this.period = period;
  }

  /** Feeds the next close; returns the RSI at this index (NaN during warm-up). */
  update(x: number): number {
    const prev = this.#prev;
    if (x !== x || prev !== prev) {
      if (x === x) this.#prev = x;
      return NaN;
    }
    const p = this.period;
    let gain = x - prev;
    gain = gain > 0 ? gain : 0;
    let loss = prev - x;
    loss = loss > 0 ? loss : 0;
    this.#prev = x;
    if (this.#count < p) {
      this.#gainSum += gain;
      this.#lossSum += loss;
      if (++this.#count < p) return NaN;
      this.#avgGain = this.#gainSum / p;
      this.#avgLoss = this.#lossSum / p;
    } else {
      this.#avgGain = (this.#avgGain * (p - 1) + gain) / p;
      this.#avgLoss = (this.#avgLoss * (p - 1) + loss) / p;
    }
    return rsiOf(this.#avgGain, this.#avgLoss);
  }
}

/**
 * Rate of change in percent: `((x[i] - x[i - period]) / x[i - period]) * 100`, first value at
 * index `period` (technicalindicators' formula and alignment). NaN wherever either input is NaN.
 * DIFFERENCE: where x[i - period] is 0 we keep the resulting NaN/Infinity in place, while
 * technicalindicators drops NaN results from its output (shifting everything before them).
 *
 * @example
 * ```ts
 * roc(new Float64Array([100, 110, 121]), 1); // [NaN, 10, 10]
 * ```
 */
export function roc(src: Float64Array, period: number): Float64Array {
  checkPeriod("roc", period);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n && i < period; i++) out[i] = NaN;
  for (let i = period; i < n; i++) {
    const o = src[i - period];
    out[i] = ((src[i] - o) / o) * 100;
  }
  return out;
}

/**
 * Incremental ROC; `update` returns exactly what {@link roc} gives at that index.
 *
 * @example
 * ```ts
 * const s = new RocState(1);
 * [100, 110, 121].map((x) => s.update(x)); // [NaN, 10, 10]
 * ```
 */
export class RocState {
  /** Look-back length. */
  readonly period: number;
  #ring: Float64Array;
  #i = 0;

  /** Creates an empty state. */
  constructor(period: number) {
    checkPeriod("RocState", period);
    this.period = period;
    this.#ring = new Float64Array(period);
  }

  /** Feeds the next value; returns the ROC at this index (NaN during warm-up). */
  update(x: number): number {
    const i = this.#i++;
    const slot = i % this.period;
    const o = this.#ring[slot];
    this.#ring[slot] = x;
    return i >= this.period ? ((x - o) / o) * 100 : NaN;
  }
}

/** MACD columns, aligned to the input index. */
export interface MacdResult {
  /** EMA(fast) - EMA(slow); first value at index max(fast, slow) - 1. */
  macd: Float64Array;
  /** EMA(signal) of the MACD line (SMA-seeded like every EMA here). */
  signal: Float64Array;
  /** macd - signal. */
  histogram: Float64Array;
}

/** One candle's MACD values. */
export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

/**
 * MACD with EMA oscillator and EMA signal (technicalindicators with SimpleMAOscillator and
 * SimpleMASignal set to false — its MACDInput class defaults them to true, i.e. SMAs). Each EMA
 * is seeded with its own SMA: the fast EMA at fast - 1, the slow at slow - 1, the signal after
 * `signal` MACD values (index slow + signal - 2). Bit-identical to technicalindicators, except
 * that its falsy checks turn an exactly-0 signal into `undefined` (and skip exactly-0 EMAs);
 * we keep the 0.
 *
 * @example
 * ```ts
 * const { macd: line, signal, histogram } = macd(closes, 12, 26, 9);
 * ```
 */
export function macd(src: Float64Array, fast = 12, slow = 26, signal = 9): MacdResult {
  checkPeriod("macd", fast);
  checkPeriod("macd", slow);
  checkPeriod("macd", signal);
  const f = ema(src, fast);
  const s = ema(src, slow);
  const n = src.length;
  const line = new Float64Array(n);
  for (let i = 0; i < n; i++) line[i] = f[i] - s[i];
  const sig = ema(line, signal);
  const histogram = new Float64Array(n);
  for (let i = 0; i < n; i++) histogram[i] = line[i] - sig[i];
  return { macd: line, signal: sig, histogram };
}

/**
 * Incremental MACD; `update` returns (a fresh object with) exactly what {@link macd} gives.
 *
 * @example
 * ```ts
 * const s = new MacdState(12, 26, 9);
 * const { macd, signal, histogram } = s.update(close);
 * ```
 */
export class MacdState {
  #fast: EmaState;
  #slow: EmaState;
  #signal: EmaState;

  /** Creates an empty state. */
  constructor(fast = 12, slow = 26, signal = 9) {
    this.#fast = new EmaState(fast);
    this.#slow = new EmaState(slow);
    this.#signal = new EmaState(signal);
  }

  /** Feeds the next value; returns the MACD values at this index (NaN during warm-up). */
  update(x: number): MacdValue {
    const line = this.#fast.update(x) - this.#slow.update(x);
    const signal = this.#signal.update(line);
    return { macd: line, signal, histogram: line - signal };
  }
}
