// Moving averages: SMA, EMA and Wilder's RMA, each as a batch kernel and an incremental state.

import { checkPeriod } from "./common.ts";

/*
 * NaN policy. SMA is a window kernel: its output is NaN while a NaN input is inside the window
 * and recovers once it has left. EMA and RMA are recursive: a NaN input gives NaN at that index
 * and is skipped (the state carries over unchanged, and it does not count toward the warm-up).
 *
 * SMA keeps a running sum (as technicalindicators does: `sum = sum - oldest + newest`) but
 * recomputes it exactly from the window every `period` steps, so rounding error never builds up
 * over more than two windows and an outlier (or an Infinity) cannot leave a residue forever.
 *
 * Kernels store NaN with an if/else, never `out[i] = ok ? v : NaN`: V8 (Deno 2.9) boxed every
 * value of that ternary in a heap number before the store, about 3x slower per element.
 */

/** Sum of `src[from..to)` from 0 in index order, NaN counted as 0. */
function windowSum(src: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let j = from; j < to; j++) {
    const y = src[j];
    if (y === y) s += y;
  }
  return s;
}

/**
 * Simple moving average: the mean of the last `period` values, aligned to the input index.
 * NaN during warm-up (indices < period - 1) and wherever a NaN input lies inside the window.
 * One pass, O(n). Equal to technicalindicators' SMA within rounding (its running sum drifts;
 * ours is re-summed every `period` steps).
 *
 * @example
 * ```ts
 * sma(new Float64Array([1, 2, 3, 4]), 2); // [NaN, 1.5, 2.5, 3.5]
 * ```
 */
export function sma(src: Float64Array, period: number): Float64Array {
  checkPeriod("sma", period);
  const n = src.length;
  const p = period;
  const out = new Float64Array(n);
  let sum = 0;
  let lastNan = -Infinity;
  const warm = Math.min(p, n);
  for (let i = 0; i < warm; i++) {
    const x = src[i];
    if (x === x) sum += x;
    else lastNan = i;
    out[i] = NaN;
  }
  if (n >= p && lastNan < 0) out[p - 1] = sum / p;
  const state = new Float64Array([sum, lastNan]);
  for (let from = p; from < n; from += RUN) {
    smaRun(src, out, p, from, Math.min(n, from + RUN), state);
  }
  return out;
}

/**
 * Indices a kernel's inner function takes per call. A backtest computes each indicator once, so
 * a kernel written as one loop ran in V8's slower tiers for much of every call (only the loop was
 * compiled, on the stack, call after call): measured, the first dozen SMAs of a year took 5-30
 * ms instead of 1.5. An inner function called for every few thousand indices is compiled as a
 * whole after a few calls, and every later call runs the compiled code from its first index.
 */
const RUN = 4096;

/**
 * SMA indices `from..to` (from >= period), continuing from `state` = [running sum, index of the
 * last NaN input] and leaving it updated. Blocks of `p` indices: p - 1 running updates, then an
 * exact re-sum at each index i with (i + 1) % p === 0 from 2p - 1 on; the loop without a
 * per-element counter is ~3x faster in V8.
 */
function smaRun(
  src: Float64Array,
  out: Float64Array,
  p: number,
  from: number,
  to: number,
  state: Float64Array,
): void {
  let sum = state[0];
  let lastNan = state[1];
  let i = from;
  let next = i + (p - 1 - (i % p) + p) % p; // the first re-sum index >= i
  while (i < to) {
    const end = next < to ? next : to;
    for (; i < end; i++) {
      const x = src[i];
      const o = src[i - p];
      let s = o === o ? sum - o : sum;
      if (x === x) s += x;
      else lastNan = i;
      sum = s;
      if (i - lastNan >= p) out[i] = sum / p;
      else out[i] = NaN;
    }
    if (i === next && i < to) {
      if (src[i] !== src[i]) lastNan = i;
      sum = windowSum(src, i - p + 1, i + 1);
      if (i - lastNan >= p) out[i] = sum / p;
      else out[i] = NaN;
      i++;
      next += p;
    }
  }
  state[0] = sum;
  state[1] = lastNan;
}

/**
 * Incremental SMA for live candles; `update` returns exactly what {@link sma} gives at that index.
 *
 * @example
 * ```ts
 * const s = new SmaState(2);
 * s.update(1); // NaN
 * s.update(2); // 1.5
 * ```
 */
export class SmaState {
  /** Window length. */
  readonly period: number;
  #ring: Float64Array;
  #i = 0;
  #c = 0;
  #sum = 0;
  #lastNan = -Infinity;

  /** Creates an empty state for a `period`-long window. */
  constructor(period: number) {
    checkPeriod("SmaState", period);
    this.period = period;
    this.#ring = new Float64Array(period);
  }

  /** Feeds the next value; returns the SMA at this index (NaN during warm-up). */
  update(x: number): number {
    const p = this.period;
    const ring = this.#ring;
    const i = this.#i++;
    const slot = i % p;
    if (i < p) {
      ring[slot] = x;
      if (x === x) this.#sum += x;
      else this.#lastNan = i;
    } else {
      const o = ring[slot];
      ring[slot] = x;
      if (x !== x) this.#lastNan = i;
      if (++this.#c === p) {
        this.#c = 0;
        let s = 0;
        for (let j = 1; j <= p; j++) {
          const y = ring[(slot + j) % p];
          if (y === y) s += y;
        }
        this.#sum = s;
      } else {
        let s = o === o ? this.#sum - o : this.#sum;
        if (x === x) s += x;
        this.#sum = s;
      }
    }
    return i >= p - 1 && i - this.#lastNan >= p ? this.#sum / p : NaN;
  }
}

/** Exponentially weighted average seeded with the SMA of the first `period` valid values. */
function ewma(src: Float64Array, period: number, alpha: number): Float64Array {
  const n = src.length;
  const out = new Float64Array(n);
  let i = 0;
  let count = 0;
  let sum = 0;
  for (; i < n && count < period; i++) {
    const x = src[i];
    if (x === x) {
      sum += x;
      count++;
    }
    out[i] = NaN;
  }
  if (count < period) return out;
  let prev = sum / period;
  out[i - 1] = prev;
  for (let from = i; from < n; from += RUN) {
    prev = ewmaRun(src, out, from, Math.min(n, from + RUN), alpha, prev);
  }
  return out;
}

/** EWMA indices `from..to` from the previous value `prev`; returns the last value (see RUN). */
function ewmaRun(
  src: Float64Array,
  out: Float64Array,
  from: number,
  to: number,
  alpha: number,
  prev: number,
): number {
  for (let i = from; i < to; i++) {
    const x = src[i];
    if (x === x) {
      prev = (x - prev) * alpha + prev;
      out[i] = prev;
    } else {
      out[i] = NaN;
    }
  }
  return prev;
}

/** Incremental form of the seeded exponential average behind {@link EmaState} and {@link RmaState}. */
class EwmaState {
  /** Smoothing length. */
  readonly period: number;
  /** Weight of each new value. */
  readonly alpha: number;
  #count = 0;
  #sum = 0;
  #prev = NaN;

  constructor(period: number, alpha: number) {
    this.period = period;
    this.alpha = alpha;
  }

  /** Feeds the next value; returns the average at this index (NaN during warm-up or for NaN). */
  update(x: number): number {
    if (x !== x) return NaN;
    if (this.#count < this.period) {
      this.#sum += x;
      if (++this.#count < this.period) return NaN;
      this.#prev = this.#sum / this.period;
      return this.#prev;
    }
    const prev = this.#prev;
    this.#prev = (x - prev) * this.alpha + prev;
    return this.#prev;
  }
}

/**
 * Exponential moving average with alpha = 2 / (period + 1), SEEDED WITH THE SMA of the first
 * `period` values (as technicalindicators does): NaN before index period - 1, the plain mean at
 * period - 1, then `ema = (x - ema) * alpha + ema` (technicalindicators' exact operation order,
 * so values are bit-identical to it). A NaN input gives NaN there and is skipped.
 * DIFFERENCE: technicalindicators tests its seed with `if (prevEma)`, so a seed of exactly 0
 * (e.g. [-1, 1] with period 2) gets the update applied a second time with the same value
 * (it gives 0.667 where we give 0) and every later value is off; ours is correct.
 *
 * @example
 * ```ts
 * ema(new Float64Array([1, 2, 3, 4]), 3); // [NaN, NaN, 2, 3]
 * ```
 */
export function ema(src: Float64Array, period: number): Float64Array {
  checkPeriod("ema", period);
  return ewma(src, period, 2 / (period + 1));
}

/**
 * Incremental EMA; `update` returns exactly what {@link ema} gives at that index.
 *
 * @example
 * ```ts
 * const s = new EmaState(3);
 * [1, 2, 3, 4].map((x) => s.update(x)); // [NaN, NaN, 2, 3]
 * ```
 */
export class EmaState extends EwmaState {
  /** Creates an empty EMA state. */
  constructor(period: number) {
    checkPeriod("EmaState", period);
    super(period, 2 / (period + 1));
  }
}

/**
 * Wilder's moving average (RMA, "Wilder smoothing", SMMA): alpha = 1 / period, seeded with the
 * SMA of the first `period` values, then `rma = (x - rma) * (1 / period) + rma`. This is the
 * operation order of technicalindicators' WEMA (bit-identical to it); mathematically it equals
 * the textbook `(rma * (period - 1) + x) / period`. A NaN input gives NaN there and is skipped.
 *
 * @example
 * ```ts
 * rma(new Float64Array([1, 2, 3, 5]), 2); // [NaN, 1.5, 2.25, 3.625]
 * ```
 */
export function rma(src: Float64Array, period: number): Float64Array {
  checkPeriod("rma", period);
  return ewma(src, period, 1 / period);
}

/**
 * Incremental RMA; `update` returns exactly what {@link rma} gives at that index.
 *
 * @example
 * ```ts
 * const s = new RmaState(2);
 * [1, 2, 3, 5].map((x) => s.update(x)); // [NaN, 1.5, 2.25, 3.625]
 * ```
 */
export class RmaState extends EwmaState {
  /** Creates an empty RMA state. */
  constructor(period: number) {
    checkPeriod("RmaState", period);
    super(period, 1 / period);
  }
}
