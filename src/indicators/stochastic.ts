// Stochastic oscillator (%K with optional smoothing, %D), batch kernel and incremental state.

import { checkLengths, checkPeriod } from "./common.ts";
import { sma, SmaState } from "./moving_averages.ts";
import { rollingMax, RollingMaxState, rollingMin, RollingMinState } from "./rolling.ts";

/** Stochastic columns, aligned to the input index. */
export interface StochasticResult {
  /** %K after smoothing: SMA(kSmooth) of the raw %K (the raw %K itself when kSmooth = 1). */
  k: Float64Array;
  /** %D: SMA(dPeriod) of %K. */
  d: Float64Array;
}

/** One candle's stochastic values. */
export interface StochasticValue {
  k: number;
  d: number;
}

/**
 * Raw %K = ((close - lowest low) / (highest high - lowest low)) * 100 (technicalindicators'
 * operations). When the range is 0 and close equals it (0 / 0) this is 0, as technicalindicators
 * defines it; NaN inputs stay NaN.
 */
function rawK(c: number, hh: number, ll: number): number {
  const k = ((c - ll) / (hh - ll)) * 100;
  return k === k || c !== c || hh !== hh || ll !== ll ? k : 0;
}

function checkStoch(kPeriod: number, kSmooth: number, dPeriod: number): void {
  checkPeriod("stochastic", kPeriod);
  checkPeriod("stochastic", kSmooth);
  checkPeriod("stochastic", dPeriod);
}

/**
 * Stochastic oscillator. Raw %K over the last `kPeriod` candles (highest high / lowest low),
 * smoothed by an SMA of `kSmooth` (the "slow"/"full" stochastic; 1 = fast stochastic), and
 * %D = SMA(dPeriod) of that %K. First %K at kPeriod + kSmooth - 2, first %D dPeriod - 1 later.
 * With kSmooth = 1 this is technicalindicators' Stochastic (period = kPeriod, signalPeriod =
 * dPeriod), which has no %K smoothing: %K bit-identical, %D within running-sum rounding. (Its
 * highest-high starts at 0, so it is wrong while every high is negative; ours is not.)
 * Window kernel: NaN while a NaN input is in any window.
 *
 * @example
 * ```ts
 * const { k, d } = stochastic(high, low, close, 14, 3, 3);
 * ```
 */
export function stochastic(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod = 14,
  kSmooth = 3,
  dPeriod = 3,
): StochasticResult {
  checkStoch(kPeriod, kSmooth, dPeriod);
  const n = checkLengths("stochastic", high, low, close);
  const hh = rollingMax(high, kPeriod);
  const ll = rollingMin(low, kPeriod);
  const raw = new Float64Array(n);
  for (let i = 0; i < n; i++) raw[i] = rawK(close[i], hh[i], ll[i]);
  const k = sma(raw, kSmooth);
  return { k, d: sma(k, dPeriod) };
}

/**
 * Incremental stochastic; `update(high, low, close)` returns (a fresh object with) exactly what
 * {@link stochastic} gives at that index.
 *
 * @example
 * ```ts
 * const s = new StochasticState(14, 3, 3);
 * const { k, d } = s.update(high, low, close);
 * ```
 */
export class StochasticState {
  #hh: RollingMaxState;
  #ll: RollingMinState;
  #k: SmaState;
  #d: SmaState;

  /** Creates an empty state. */
  constructor(kPeriod = 14, kSmooth = 3, dPeriod = 3) {
    checkStoch(kPeriod, kSmooth, dPeriod);
    this.#hh = new RollingMaxState(kPeriod);
    this.#ll = new RollingMinState(kPeriod);
    this.#k = new SmaState(kSmooth);
    this.#d = new SmaState(dPeriod);
  }

  /** Feeds the next candle; returns %K and %D at this index (NaN during warm-up). */
  update(high: number, low: number, close: number): StochasticValue {
    const k = this.#k.update(rawK(close, this.#hh.update(high), this.#ll.update(low)));
    return { k, d: this.#d.update(k) };
  }
}
