// Directional movement: ADX with +DI and -DI (Wilder), batch kernel and incremental state.

import { checkLengths, checkPeriod, trueRange } from "./common.ts";
import { rma, RmaState } from "./moving_averages.ts";

/** ADX columns, aligned to the input index. */
export interface AdxResult {
  /** Average directional index: RMA(period) of DX; first value at index 2 * period - 1. */
  adx: Float64Array;
  /** +DI = 100 * smoothed +DM / smoothed TR; first value at index `period`. */
  plusDi: Float64Array;
  /** -DI = 100 * smoothed -DM / smoothed TR; first value at index `period`. */
  minusDi: Float64Array;
}

/** One candle's ADX values. */
export interface AdxValue {
  adx: number;
  plusDi: number;
  minusDi: number;
}

/*
 * Definition (technicalindicators' ADX, same operations, bit-identical on ordinary data):
 *  - from the second valid candle: TR, +DM = up > down && up > 0 ? up : 0 (up = high - prevHigh),
 *    -DM = down > up && down > 0 ? down : 0 (down = prevLow - low);
 *  - Wilder SUM smoothing of TR, +DM, -DM: the plain sum of the first `period` values, then
 *    `s = s - s / period + x` (so DI is first defined at index `period`);
 *  - +DI = (s+DM * 100) / sTR, -DI likewise; DX = (|+DI - -DI| / (+DI + -DI)) * 100;
 *  - ADX = RMA(period) of DX (SMA seed, then `(dx - adx) / period + adx` as its WEMA does).
 * DIFFERENCES: (1) technicalindicators only emits rows once ADX exists, so its +DI/-DI start at
 * index 2 * period - 1; ours start at `period` (values equal where both exist). (2) Where it
 * divides 0 by 0 we define a value: sTR = 0 gives +DI = -DI = 0 (it gives NaN), and
 * +DI + -DI = 0 gives DX = 0 (it gives NaN, which then poisons its ADX for the rest of the
 * series). These only happen on perfectly flat data. Candles with a NaN input give NaN and are
 * skipped (the next candle's moves are measured from the last valid candle).
 */

/** DI from smoothed DM and TR, 0 when the smoothed true range is 0. */
function diOf(sDm: number, sTr: number): number {
  return sTr === 0 ? 0 : (sDm * 100) / sTr;
}

/** DX from the two DIs, 0 when both are 0. */
function dxOf(pdi: number, mdi: number): number {
  const sum = pdi + mdi;
  return sum === 0 ? 0 : (Math.abs(pdi - mdi) / sum) * 100;
}

/**
 * ADX with +DI and -DI, Wilder's definition as computed by technicalindicators (see the notes
 * in this file). +DI/-DI from index `period`, ADX from index 2 * period - 1.
 *
 * @example
 * ```ts
 * const { adx: strength, plusDi, minusDi } = adx(high, low, close, 14);
 * ```
 */
export function adx(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 14,
): AdxResult {
  checkPeriod("adx", period);
  const n = checkLengths("adx", high, low, close);
  const p = period;
  const plusDi = new Float64Array(n);
  const minusDi = new Float64Array(n);
  const dx = new Float64Array(n);
  let ph = NaN;
  let pl = NaN;
  let pc = NaN;
  let count = 0;
  let sTr = 0;
  let sP = 0;
  let sM = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    plusDi[i] = NaN;
    minusDi[i] = NaN;
    dx[i] = NaN;
    if (h !== h || l !== l || c !== c) continue;
    if (pc !== pc) {
      ph = h;
      pl = l;
      pc = c;
      continue;
    }
    const tr = trueRange(h, l, pc);
    const up = h - ph;
    const down = pl - l;
    const pdm = up > down && up > 0 ? up : 0;
    const mdm = down > up && down > 0 ? down : 0;
    ph = h;
    pl = l;
    pc = c;
    if (count < p) {
      sTr += tr;
      sP += pdm;
      sM += mdm;
      if (++count < p) continue;
    } else {
      sTr = sTr - sTr / p + tr;
      sP = sP - sP / p + pdm;
      sM = sM - sM / p + mdm;
    }
    const pdi = diOf(sP, sTr);
    const mdi = diOf(sM, sTr);
    plusDi[i] = pdi;
    minusDi[i] = mdi;
    dx[i] = dxOf(pdi, mdi);
  }
  return { adx: rma(dx, p), plusDi, minusDi };
}

/**
 * Incremental ADX; `update(high, low, close)` returns (a fresh object with) exactly what
 * {@link adx} gives at that index.
 *
 * @example
 * ```ts
 * const s = new AdxState(14);
 * const { adx, plusDi, minusDi } = s.update(high, low, close);
 * ```
 */
export class AdxState {
  /** Smoothing length. */
  readonly period: number;
  #rma: RmaState;
  #ph = NaN;
  #pl = NaN;
  #pc = NaN;
  #count = 0;
  #sTr = 0;
  #sP = 0;
  #sM = 0;

  /** Creates an empty state. */
  constructor(period = 14) {
    checkPeriod("AdxState", period);
    this.period = period;
    this.#rma = new RmaState(period);
  }

  /** Feeds the next candle; returns the ADX values at this index (NaN during warm-up). */
  update(high: number, low: number, close: number): AdxValue {
    const none = { adx: NaN, plusDi: NaN, minusDi: NaN };
    if (high !== high || low !== low || close !== close) return none;
    if (this.#pc !== this.#pc) {
      this.#ph = high;
      this.#pl = low;
      this.#pc = close;
      return none;
    }
    const p = this.period;
    const tr = trueRange(high, low, this.#pc);
    const up = high - this.#ph;
    const down = this.#pl - low;
    const pdm = up > down && up > 0 ? up : 0;
    const mdm = down > up && down > 0 ? down : 0;
    this.#ph = high;
    this.#pl = low;
    this.#pc = close;
    if (this.#count < p) {
      this.#sTr += tr;
      this.#sP += pdm;
      this.#sM += mdm;
      if (++this.#count < p) return none;
    } else {
      this.#sTr = this.#sTr - this.#sTr / p + tr;
      this.#sP = this.#sP - this.#sP / p + pdm;
      this.#sM = this.#sM - this.#sM / p + mdm;
    }
    const plusDi = diOf(this.#sP, this.#sTr);
    const minusDi = diOf(this.#sM, this.#sTr);
    return { adx: this.#rma.update(dxOf(plusDi, minusDi)), plusDi, minusDi };
  }
}
