// Candle columns and indicator lines that grow one value at a time (live bots), without ever
// moving: a strategy may keep `ctx.base.data.close` or a line's `values` from create() on.

import type { Candle, CandleColumns } from "../core/candles.ts";
import type { Line } from "../core/strategy.ts";

/**
 * Most values one growing array can hold: 2^25 (63 years of 1-minute candles). The address
 * space is reserved, not the memory: pages are used as the array grows.
 */
const MAX_VALUES = 2 ** 25;

/** First capacity of a growing array (it doubles from there). */
const FIRST_CAPACITY = 1024;

/**
 * A Float64Array that grows in place: the same object for its whole life (a length-tracking
 * view of a resizable ArrayBuffer), so whoever keeps it sees every value pushed later. Its
 * `length` is its capacity, which doubles when full; the slots past the values pushed so far
 * hold NaN ("not known yet"), as a strategy must never read past the candle it is deciding on.
 */
export class GrowingArray {
  readonly values: Float64Array;
  readonly #buf: ArrayBuffer;
  #n = 0;

  constructor() {
    this.#buf = new ArrayBuffer(0, { maxByteLength: MAX_VALUES * 8 });
    this.values = new Float64Array(this.#buf);
  }

  /** Values pushed so far. */
  get length(): number {
    return this.#n;
  }

  /** Appends one value. */
  push(v: number): void {
    const n = this.#n;
    if (n === this.values.length) this.#grow();
    this.values[n] = v;
    this.#n = n + 1;
  }

  #grow(): void {
    const old = this.values.length;
    const next = Math.min(MAX_VALUES, Math.max(FIRST_CAPACITY, old * 2));
    if (next === old) {
      throw new RangeError(`A live series cannot hold more than ${MAX_VALUES} values.`);
    }
    this.#buf.resize(next * 8);
    this.values.fill(NaN, old);
  }
}

/**
 * A Line that grows with the candles: `values` is one array for the whole run (see
 * {@link GrowingArray}), indexed like a batch-computed line.
 */
export class GrowingLine implements Line {
  readonly #a = new GrowingArray();
  readonly values: Float64Array = this.#a.values;

  /** Appends one value. */
  push(v: number): void {
    this.#a.push(v);
  }
}

/**
 * Candle columns that grow by one candle at a time. `columns` and its arrays stay the same
 * objects for the whole run; `length` says how many candles they hold (past it: NaN).
 */
export class GrowingColumns {
  readonly #ts = new GrowingArray();
  readonly #open = new GrowingArray();
  readonly #high = new GrowingArray();
  readonly #low = new GrowingArray();
  readonly #close = new GrowingArray();
  readonly #volume = new GrowingArray();
  readonly columns: CandleColumns = {
    ts: this.#ts.values,
    open: this.#open.values,
    high: this.#high.values,
    low: this.#low.values,
    close: this.#close.values,
    volume: this.#volume.values,
  };

  /** Candles pushed so far. */
  get length(): number {
    return this.#ts.length;
  }

  /** Open time of the latest candle, or -Infinity when empty. */
  get lastTs(): number {
    const n = this.#ts.length;
    return n ? this.columns.ts[n - 1] : -Infinity;
  }

  /** Appends one candle; returns its index. */
  push(c: Candle): number {
    const n = this.#ts.length;
    this.#ts.push(c.ts);
    this.#open.push(c.open);
    this.#high.push(c.high);
    this.#low.push(c.low);
    this.#close.push(c.close);
    this.#volume.push(c.volume);
    return n;
  }

  /** The first `length` candles as columns of their own (copies). */
  snapshot(): CandleColumns {
    const n = this.length;
    const c = this.columns;
    return {
      ts: c.ts.slice(0, n),
      open: c.open.slice(0, n),
      high: c.high.slice(0, n),
      low: c.low.slice(0, n),
      close: c.close.slice(0, n),
      volume: c.volume.slice(0, n),
    };
  }
}
