// Volume indicators: OBV and VWAP (cumulative and per-UTC-day session), batch and incremental.

import { checkLengths } from "./common.ts";

/*
 * All three are recursive: a candle with a NaN input gives NaN at that index and is skipped
 * (the running totals and the previous close carry over unchanged).
 */

const DAY_MS = 86_400_000;

/**
 * On-balance volume: starts at 0 on the first valid candle, then adds the volume when the close
 * rises, subtracts it when the close falls, and keeps it when unchanged. DIFFERENCE:
 * technicalindicators emits nothing for the first candle (its output starts at index 1, where it
 * equals ours); we emit 0 there.
 *
 * @example
 * ```ts
 * obv(new Float64Array([10, 11, 10, 10]), new Float64Array([5, 2, 3, 4])); // [0, 2, -1, -1]
 * ```
 */
export function obv(close: Float64Array, volume: Float64Array): Float64Array {
  const n = checkLengths("obv", close, volume);
  const out = new Float64Array(n);
  let prev = NaN;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const c = close[i];
    const v = volume[i];
    if (c !== c || v !== v) {
      out[i] = NaN;
      continue;
    }
    if (prev < c) acc = acc + v;
    else if (c < prev) acc = acc - v;
    prev = c;
    out[i] = acc;
  }
  return out;
}

/**
 * Incremental OBV; `update(close, volume)` returns exactly what {@link obv} gives.
 *
 * @example
 * ```ts
 * const s = new ObvState();
 * s.update(10, 5); // 0
 * s.update(11, 2); // 2
 * ```
 */
export class ObvState {
  #prev = NaN;
  #acc = 0;

  /** Feeds the next candle; returns the OBV at this index. */
  update(close: number, volume: number): number {
    if (close !== close || volume !== volume) return NaN;
    if (this.#prev < close) this.#acc = this.#acc + volume;
    else if (close < this.#prev) this.#acc = this.#acc - volume;
    this.#prev = close;
    return this.#acc;
  }
}

/**
 * Volume-weighted average price, cumulative from the first candle: sum(volume * typical) /
 * sum(volume) with typical = (high + low + close) / 3 (technicalindicators' operations, so
 * bit-identical to its VWAP). While the cumulative volume is 0 the value is NaN (0 / 0).
 *
 * @example
 * ```ts
 * const v = vwap(high, low, close, volume);
 * ```
 */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
): Float64Array {
  const n = checkLengths("vwap", high, low, close, volume);
  const out = new Float64Array(n);
  let pv = 0;
  let vol = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const v = volume[i];
    if (h !== h || l !== l || c !== c || v !== v) {
      out[i] = NaN;
      continue;
    }
    pv = pv + v * ((h + l + c) / 3);
    vol = vol + v;
    out[i] = pv / vol;
  }
  return out;
}

/**
 * Incremental cumulative VWAP; `update(high, low, close, volume)` returns exactly what
 * {@link vwap} gives.
 *
 * @example
 * ```ts
 * const s = new VwapState();
 * s.update(11, 9, 10, 2); // 10
 * ```
 */
export class VwapState {
  #pv = 0;
  #vol = 0;

  /** Feeds the next candle; returns the VWAP at this index. */
  update(high: number, low: number, close: number, volume: number): number {
    if (high !== high || low !== low || close !== close || volume !== volume) return NaN;
    this.#pv = this.#pv + volume * ((high + low + close) / 3);
    this.#vol = this.#vol + volume;
    return this.#pv / this.#vol;
  }
}

/**
 * Session VWAP: like {@link vwap}, but the sums restart at the first candle of each UTC day
 * (the day of `ts`, the candle's open time in epoch ms). Within one day it is bit-identical to
 * technicalindicators' VWAP run on that day's candles alone. A NaN `ts` skips the candle too.
 *
 * @example
 * ```ts
 * const v = vwapSession(c.high, c.low, c.close, c.volume, c.ts);
 * ```
 */
export function vwapSession(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  ts: Float64Array,
): Float64Array {
  const n = checkLengths("vwapSession", high, low, close, volume, ts);
  const out = new Float64Array(n);
  let pv = 0;
  let vol = 0;
  let day = NaN;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const v = volume[i];
    const t = ts[i];
    if (h !== h || l !== l || c !== c || v !== v || t !== t) {
      out[i] = NaN;
      continue;
    }
    const d = Math.floor(t / DAY_MS);
    if (d !== day) {
      day = d;
      pv = 0;
      vol = 0;
    }
    pv = pv + v * ((h + l + c) / 3);
    vol = vol + v;
    out[i] = pv / vol;
  }
  return out;
}

/**
 * Incremental session VWAP; `update(high, low, close, volume, ts)` returns exactly what
 * {@link vwapSession} gives.
 *
 * @example
 * ```ts
 * const s = new VwapSessionState();
 * s.update(11, 9, 10, 2, Date.UTC(2024, 0, 1)); // 10
 * ```
 */
export class VwapSessionState {
  #pv = 0;
  #vol = 0;
  #day = NaN;

  /** Feeds the next candle (with its open time in epoch ms); returns the session VWAP. */
  update(high: number, low: number, close: number, volume: number, ts: number): number {
    if (high !== high || low !== low || close !== close || volume !== volume || ts !== ts) {
      return NaN;
    }
    const d = Math.floor(ts / DAY_MS);
    if (d !== this.#day) {
      this.#day = d;
      this.#pv = 0;
      this.#vol = 0;
    }
    this.#pv = this.#pv + volume * ((high + low + close) / 3);
    this.#vol = this.#vol + volume;
    return this.#pv / this.#vol;
  }
}
