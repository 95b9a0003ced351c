// Views of base and higher-timeframe candles, and which higher candle had closed at each base bar.

import type { Candle, CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type { TimeframeView } from "../core/strategy.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import { resample, resampleFactor } from "../data/resample.ts";
import { GrowingArray, GrowingColumns } from "./growing_columns.ts";

/** The base timeframe's view: closedIndex is the identity. */
export function baseView(timeframe: string, data: CandleColumns): TimeframeView {
  return { timeframe, data, closedIndex: (i) => i };
}

/**
 * Refuses a higher timeframe `tf` that candles of `baseTf` cannot build (longer than it, or not
 * a whole multiple on its grid), saying which base timeframe the strategy needs.
 */
function checkHigher(baseTf: string, tf: string): void {
  const baseMs = timeframeMs(baseTf);
  const tfMs = timeframeMs(tf);
  if (tfMs < baseMs || tfMs % baseMs !== 0) {
    throw new ConfigError(
      `The strategy reads ${tf} candles built from the base timeframe's, so it needs a base ` +
        `timeframe of at most ${tf} that divides it evenly (such as ${suggestBase(tf)}); ` +
        `${baseTf} is ${tfMs < baseMs ? "longer" : "not a divisor"}.`,
    );
  }
  resampleFactor(baseTf, tf);
}

/**
 * A higher timeframe built from the base candles by exact resampling, with a precomputed map
 * from each base index to the latest higher candle closed by then. No look-ahead by
 * construction: higher candle j is visible from the base bar whose close reaches j's close.
 */
export function higherView(
  base: CandleColumns,
  baseTf: string,
  tf: string,
): TimeframeView {
  checkHigher(baseTf, tf);
  const baseMs = timeframeMs(baseTf);
  const tfMs = timeframeMs(tf);
  const { candles } = resample(base, baseTf, tf);
  const map = new Int32Array(base.ts.length);
  let j = -1;
  for (let i = 0; i < base.ts.length; i++) {
    const closeTime = base.ts[i] + baseMs;
    while (j + 1 < candles.ts.length && candles.ts[j + 1] + tfMs <= closeTime) j++;
    map[i] = j;
  }
  return { timeframe: tf, data: candles, closedIndex: (i) => map[i] };
}

/**
 * A higher timeframe built from base candles as they close, one at a time: the same candles
 * {@link higherView} resamples in batch (a bucket is emitted once complete: when the candle that
 * ends it closes, or when a later one arrives after a gap), never recomputed from the history.
 */
export class GrowingHigherTimeframe {
  /** The higher candles closed so far (stable arrays: see GrowingColumns). */
  readonly candles = new GrowingColumns();
  /** Base index → index of the latest higher candle closed by then (-1: none). */
  readonly #closed = new GrowingArray();
  readonly #fromMs: number;
  readonly #toMs: number;
  readonly #origin: number;
  #bucket = NaN;
  #end = NaN;
  #open = 0;
  #high = 0;
  #low = 0;
  #close = 0;
  #volume = 0;

  /** Checks that `tf` is a whole multiple of `baseTf` on its grid (ConfigError otherwise). */
  constructor(baseTf: string, readonly timeframe: string) {
    checkHigher(baseTf, timeframe);
    this.#fromMs = timeframeMs(baseTf);
    this.#toMs = timeframeMs(timeframe);
    this.#origin = floorToTimeframe(0, timeframe);
  }

  /**
   * Adds the next base candle; calls `onClose` with each higher candle it completes (at most
   * two: the one a gap left unfinished, and its own).
   */
  push(c: Candle, onClose: (higher: Candle) => void): void {
    if (c.ts >= this.#end) this.#flush(onClose);
    if (this.#bucket !== this.#bucket) {
      this.#bucket = Math.floor((c.ts - this.#origin) / this.#toMs) * this.#toMs + this.#origin;
      this.#end = this.#bucket + this.#toMs;
      this.#open = c.open;
      this.#high = c.high;
      this.#low = c.low;
      this.#close = c.close;
      this.#volume = c.volume;
    } else {
      if (c.high > this.#high) this.#high = c.high;
      if (c.low < this.#low) this.#low = c.low;
      this.#close = c.close;
      this.#volume += c.volume;
    }
    if (this.#end <= c.ts + this.#fromMs) this.#flush(onClose);
    this.#closed.push(this.candles.length - 1);
  }

  /** The latest higher candle closed when base candle `i` closed, or -1. */
  closedIndex(i: number): number {
    const j = this.#closed.values[i];
    return j === j ? j : -1;
  }

  #flush(onClose: (higher: Candle) => void): void {
    if (this.#bucket !== this.#bucket) return;
    const k: Candle = {
      ts: this.#bucket,
      open: this.#open,
      high: this.#high,
      low: this.#low,
      close: this.#close,
      volume: this.#volume,
    };
    this.#bucket = NaN;
    this.#end = NaN;
    this.candles.push(k);
    onClose(k);
  }
}

/** A common base timeframe that divides `tf` (for messages). */
function suggestBase(tf: string): string {
  const ms = timeframeMs(tf);
  for (const c of ["15m", "5m", "1m"]) {
    if (timeframeMs(c) < ms && ms % timeframeMs(c) === 0) return c;
  }
  return "1m";
}
