// Candle columns and indicator lines that grow one value at a time (live bots).

import type { Candle, CandleColumns } from "../core/candles.ts";
import type { Line } from "../core/strategy.ts";
import { room } from "./arrays.ts";

/**
 * A Line whose `values` is always exactly as long as the values pushed so far (a view of a
 * buffer that doubles when full), so strategies index it like a batch-computed line.
 */
export class GrowingLine implements Line {
  #buf = new Float64Array(0);
  #n = 0;
  values: Float64Array = this.#buf;

  /** Appends one value. */
  push(v: number): void {
    this.#buf = room(this.#buf, this.#n);
    this.#buf[this.#n++] = v;
    this.values = this.#buf.subarray(0, this.#n);
  }
}

/** Candle columns that grow by one candle at a time; `columns` is always exactly `length` long. */
export class GrowingColumns {
  #ts = new Float64Array(0);
  #open = new Float64Array(0);
  #high = new Float64Array(0);
  #low = new Float64Array(0);
  #close = new Float64Array(0);
  #volume = new Float64Array(0);
  #n = 0;
  columns: CandleColumns = this.#view();

  get length(): number {
    return this.#n;
  }

  /** Open time of the latest candle, or -Infinity when empty. */
  get lastTs(): number {
    return this.#n ? this.#ts[this.#n - 1] : -Infinity;
  }

  /** Appends one candle; returns its index. */
  push(c: Candle): number {
    const n = this.#n;
    this.#ts = room(this.#ts, n);
    this.#open = room(this.#open, n);
    this.#high = room(this.#high, n);
    this.#low = room(this.#low, n);
    this.#close = room(this.#close, n);
    this.#volume = room(this.#volume, n);
    this.#ts[n] = c.ts;
    this.#open[n] = c.open;
    this.#high[n] = c.high;
    this.#low[n] = c.low;
    this.#close[n] = c.close;
    this.#volume[n] = c.volume;
    this.#n = n + 1;
    this.columns = this.#view();
    return n;
  }

  #view(): CandleColumns {
    const n = this.#n;
    return {
      ts: this.#ts.subarray(0, n),
      open: this.#open.subarray(0, n),
      high: this.#high.subarray(0, n),
      low: this.#low.subarray(0, n),
      close: this.#close.subarray(0, n),
      volume: this.#volume.subarray(0, n),
    };
  }
}
