// Rolling-window statistics: max and min (monotonic deque, O(n)) and population stdev.

import { checkPeriod } from "./common.ts";

/*
 * Window kernels: the output at i covers inputs i - period + 1 .. i; it is NaN during warm-up
 * (i < period - 1) and while a NaN input is inside the window, and recovers once it has left.
 */

/** Rolling max of `sign * x`, times `sign` (sign -1 gives the rolling min; negation is exact). */
function rollingExtreme(src: Float64Array, period: number, sign: number): Float64Array {
  const n = src.length;
  const p = period;
  const out = new Float64Array(n);
  const idx = new Int32Array(n);
  const val = new Float64Array(n);
  let head = 0;
  let tail = 0;
  let lastNan = -Infinity;
  for (let i = 0; i < n; i++) {
    if (tail > head && idx[head] <= i - p) head++;
    const x = sign * src[i];
    if (x === x) {
      while (tail > head && val[tail - 1] <= x) tail--;
      idx[tail] = i;
      val[tail++] = x;
    } else {
      lastNan = i;
    }
    if (i >= p - 1 && i - lastNan >= p) out[i] = sign * val[head];
    else out[i] = NaN;
  }
  return out;
}

/**
 * Rolling maximum over the last `period` values (monotonic deque, O(n) total). Bit-identical to
 * technicalindicators' Highest on data with a non-negative value at or before the window.
 * DIFFERENCE: its running max starts at 0, so it reports 0 until the first value >= 0 arrives
 * (e.g. [-3, -2, -5] with period 2 gives [0, 0]; ours [NaN, -2, -2]). Its Stochastic, Williams %R
 * and Ichimoku share that list, so they are wrong on all-negative highs too.
 *
 * @example
 * ```ts
 * rollingMax(new Float64Array([3, 1, 2, 5]), 2); // [NaN, 3, 2, 5]
 * ```
 */
export function rollingMax(src: Float64Array, period: number): Float64Array {
  checkPeriod("rollingMax", period);
  return rollingExtreme(src, period, 1);
}

/**
 * Rolling minimum over the last `period` values (monotonic deque, O(n) total). Bit-identical to
 * technicalindicators' Lowest.
 *
 * @example
 * ```ts
 * rollingMin(new Float64Array([3, 1, 2, 5]), 2); // [NaN, 1, 1, 2]
 * ```
 */
export function rollingMin(src: Float64Array, period: number): Float64Array {
  checkPeriod("rollingMin", period);
  return rollingExtreme(src, period, -1);
}

/** Incremental rolling extreme on a ring-buffer deque of capacity `period`. */
class RollingExtremeState {
  /** Window length. */
  readonly period: number;
  #sign: number;
  #idx: Float64Array;
  #val: Float64Array;
  #head = 0;
  #size = 0;
  #i = 0;
  #lastNan = -Infinity;

  constructor(period: number, sign: number) {
    this.period = period;
    this.#sign = sign;
    this.#idx = new Float64Array(period);
    this.#val = new Float64Array(period);
  }

  /** Feeds the next value; returns the window extreme at this index (NaN during warm-up). */
  update(v: number): number {
    const p = this.period;
    const idx = this.#idx;
    const val = this.#val;
    const i = this.#i++;
    if (this.#size > 0 && idx[this.#head] <= i - p) {
      this.#head = this.#head + 1 === p ? 0 : this.#head + 1;
      this.#size--;
    }
    const x = this.#sign * v;
    if (x === x) {
      while (this.#size > 0 && val[(this.#head + this.#size - 1) % p] <= x) this.#size--;
      const slot = (this.#head + this.#size) % p;
      idx[slot] = i;
      val[slot] = x;
      this.#size++;
    } else {
      this.#lastNan = i;
    }
    return i >= p - 1 && i - this.#lastNan >= p ? this.#sign * val[this.#head] : NaN;
  }
}

/**
 * Incremental rolling max; `update` returns exactly what {@link rollingMax} gives.
 *
 * @example
 * ```ts
 * const s = new RollingMaxState(2);
 * [3, 1, 2, 5].map((x) => s.update(x)); // [NaN, 3, 2, 5]
 * ```
 */
export class RollingMaxState extends RollingExtremeState {
  /** Creates an empty state for a `period`-long window. */
  constructor(period: number) {
    checkPeriod("RollingMaxState", period);
    super(period, 1);
  }
}

/**
 * Incremental rolling min; `update` returns exactly what {@link rollingMin} gives.
 *
 * @example
 * ```ts
 * const s = new RollingMinState(2);
 * [3, 1, 2, 5].map((x) => s.update(x)); // [NaN, 1, 1, 2]
 * ```
 */
export class RollingMinState extends RollingExtremeState {
  /** Creates an empty state for a `period`-long window. */
  constructor(period: number) {
    checkPeriod("RollingMinState", period);
    super(period, -1);
  }
}

/*
 * Rolling stdev keeps shifted sums S1 = sum(x - K) and S2 = sum((x - K)^2) with the shift K set
 * to the window mean every `period` steps, when both sums are also recomputed exactly. With K
 * near the data, S2 - S1^2 / p loses almost nothing to cancellation (the naive sum-of-squares
 * formula loses ~9 digits at BTC prices) and error never builds up past two windows.
 */

/** Population stdev from the shifted sums of a full window (clamped at 0 against rounding). */
function stdevOf(s1: number, s2: number, p: number): number {
  const v = (s2 - (s1 * s1) / p) / p;
  return v > 0 ? Math.sqrt(v) : 0;
}

/**
 * Rolling population standard deviation (divisor `period`) over the last `period` values, O(n).
 * Equal to technicalindicators' SD (a two-pass sum per window, O(n * period)) within ~1e-13
 * relative. DIFFERENCE: it skips a window whose mean is exactly 0 (`if (mean)`), which drops that
 * value and misaligns the rest of its output (e.g. [-1, 1, 2], period 2: it gives [0.5]; ours
 * [NaN, 1, 0.5]). Only zero-mean series such as returns can hit this.
 *
 * @example
 * ```ts
 * rollingStdev(new Float64Array([1, 3, 5, 5]), 2); // [NaN, 1, 1, 0]
 * ```
 */
export function rollingStdev(src: Float64Array, period: number): Float64Array {
  checkPeriod("rollingStdev", period);
  const n = src.length;
  const p = period;
  const out = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  let k = 0;
  let lastNan = -Infinity;
  let i = 0;
  for (const warm = Math.min(n, p - 1); i < warm; i++) {
    if (src[i] !== src[i]) lastNan = i;
    out[i] = NaN;
  }
  // Blocks of `p` indices: an exact re-sum (i = p - 1, 2p - 1, ...), then p - 1 running updates.
  while (i < n) {
    if (src[i] !== src[i]) lastNan = i;
    let m = 0;
    for (let j = i - p + 1; j <= i; j++) {
      const y = src[j];
      if (y === y) m += y;
    }
    k = m / p;
    s1 = 0;
    s2 = 0;
    for (let j = i - p + 1; j <= i; j++) {
      const y = src[j];
      if (y === y) {
        const d = y - k;
        s1 += d;
        s2 += d * d;
      }
    }
    if (i - lastNan >= p) out[i] = stdevOf(s1, s2, p);
    else out[i] = NaN;
    i++;
    for (const end = Math.min(n, i + p - 1); i < end; i++) {
      const x = src[i];
      const o = src[i - p];
      if (o === o) {
        const d = o - k;
        s1 -= d;
        s2 -= d * d;
      }
      if (x === x) {
        const d = x - k;
        s1 += d;
        s2 += d * d;
      } else {
        lastNan = i;
      }
      if (i - lastNan >= p) out[i] = stdevOf(s1, s2, p);
      else out[i] = NaN;
    }
  }
  return out;
}

/**
 * Incremental rolling population stdev; `update` returns exactly what {@link rollingStdev} gives.
 *
 * @example
 * ```ts
 * const s = new RollingStdevState(2);
 * [1, 3, 5, 5].map((x) => s.update(x)); // [NaN, 1, 1, 0]
 * ```
 */
export class RollingStdevState {
  /** Window length. */
  readonly period: number;
  #ring: Float64Array;
  #i = 0;
  #c = 0;
  #s1 = 0;
  #s2 = 0;
  #k = 0;
  #lastNan = -Infinity;

  /** Creates an empty state for a `period`-long window. */
  constructor(period: number) {
    checkPeriod("RollingStdevState", period);
    this.period = period;
    this.#ring = new Float64Array(period);
  }

  /** Feeds the next value; returns the stdev at this index (NaN during warm-up). */
  update(x: number): number {
    const p = this.period;
    const ring = this.#ring;
    const i = this.#i++;
    const slot = i % p;
    const o = ring[slot];
    ring[slot] = x;
    if (x !== x) this.#lastNan = i;
    if (++this.#c === p) {
      this.#c = 0;
      let m = 0;
      for (let j = 1; j <= p; j++) {
        const y = ring[(slot + j) % p];
        if (y === y) m += y;
      }
      const k = m / p;
      let s1 = 0;
      let s2 = 0;
      for (let j = 1; j <= p; j++) {
        const y = ring[(slot + j) % p];
        if (y === y) {
          const d = y - k;
          s1 += d;
          s2 += d * d;
        }
      }
      this.#k = k;
      this.#s1 = s1;
      this.#s2 = s2;
    } else if (i >= p) {
      const k = this.#k;
      if (o === o) {
        const d = o - k;
        this.#s1 -= d;
        this.#s2 -= d * d;
      }
      if (x === x) {
        const d = x - k;
        this.#s1 += d;
        this.#s2 += d * d;
      }
    }
    return i >= p - 1 && i - this.#lastNan >= p ? stdevOf(this.#s1, this.#s2, p) : NaN;
  }
}
