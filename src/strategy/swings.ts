// Swing highs/lows (fractals) and breaks of structure, tracked causally bar by bar.

/** Columns a {@link StructureTracker} reads; read through the view each call (they grow live). */
export interface HighLowClose {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** True when `high[k]` is strictly above the `len` highs on each side (needs k ± len in range). */
export function isSwingHigh(high: Float64Array, k: number, len: number): boolean {
  const h = high[k];
  for (let j = 1; j <= len; j++) if (!(h > high[k - j] && h > high[k + j])) return false;
  return true;
}

/** True when `low[k]` is strictly below the `len` lows on each side (needs k ± len in range). */
export function isSwingLow(low: Float64Array, k: number, len: number): boolean {
  const l = low[k];
  for (let j = 1; j <= len; j++) if (!(l < low[k - j] && l < low[k + j])) return false;
  return true;
}

/**
 * Market structure as known at each bar, with no look-ahead: a swing (fractal) at bar k is
 * confirmed only on bar `k + len`, when the `len` bars after it have closed. A break of
 * structure (BOS) is the first close beyond the latest confirmed swing: above the swing high
 * (bullish) or below the swing low (bearish). Each swing can be broken once.
 *
 * Bars are processed in order by {@link advanceTo}, so the state at bar i only ever saw bars
 * 0..i (the tracker also catches up over warm-up bars the engine did not call the strategy on).
 *
 * @example
 * ```ts
 * const s = new StructureTracker(3);
 * s.advanceTo(data, i);
 * if (s.bullBreakAt === i) console.log(`BOS above ${s.brokenHigh}`);
 * ```
 */
export class StructureTracker {
  /** Price of the latest confirmed swing high (NaN: none yet). */
  highPrice = NaN;
  /** Bar of the latest confirmed swing high (-1: none). */
  highIndex = -1;
  /** Price of the latest confirmed swing low (NaN: none yet). */
  lowPrice = NaN;
  /** Bar of the latest confirmed swing low (-1: none). */
  lowIndex = -1;
  /** Bar of the latest bullish BOS (-1: none). */
  bullBreakAt = -1;
  /** Bar of the latest bearish BOS (-1: none). */
  bearBreakAt = -1;
  /** The swing high level the latest bullish BOS closed above. */
  brokenHigh = NaN;
  /** The swing low level the latest bearish BOS closed below. */
  brokenLow = NaN;
  #highBroken = false;
  #lowBroken = false;
  #next = 0;

  /** A tracker of fractals with `len` bars on each side. */
  constructor(readonly len: number) {}

  /** Processes every bar not seen yet, up to and including bar `i`. */
  advanceTo(data: HighLowClose, i: number): void {
    const len = this.len;
    for (let c = this.#next; c <= i; c++) {
      const k = c - len;
      if (k >= len) {
        if (isSwingHigh(data.high, k, len)) {
          this.highPrice = data.high[k];
          this.highIndex = k;
          this.#highBroken = false;
        }
        if (isSwingLow(data.low, k, len)) {
          this.lowPrice = data.low[k];
          this.lowIndex = k;
          this.#lowBroken = false;
        }
      }
      const close = data.close[c];
      if (this.highIndex >= 0 && !this.#highBroken && close > this.highPrice) {
        this.#highBroken = true;
        this.bullBreakAt = c;
        this.brokenHigh = this.highPrice;
      }
      if (this.lowIndex >= 0 && !this.#lowBroken && close < this.lowPrice) {
        this.#lowBroken = true;
        this.bearBreakAt = c;
        this.brokenLow = this.lowPrice;
      }
    }
    if (i + 1 > this.#next) this.#next = i + 1;
  }
}
