// Candles in SharedArrayBuffers, so every worker reads the same memory instead of a copy.

import { CANDLE_FIELDS, type CandleColumns } from "../core/candles.ts";

/** Where one column lives in shared memory. */
export interface SharedColumn {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** Candle columns as shared-memory descriptors (structured-clone friendly, no copy on post). */
export type SharedCandles = Record<keyof CandleColumns, SharedColumn>;

/**
 * Puts candles in shared memory: columns already backed by a SharedArrayBuffer are used as they
 * are, the others are copied once into one new SharedArrayBuffer.
 *
 * @example
 * ```ts
 * const shared = shareCandles(candles); // copy once
 * const view = sharedColumns(shared);   // Float64Array views, in any worker, no copy
 * ```
 */
export function shareCandles(candles: CandleColumns): SharedCandles {
  const n = candles.ts.length;
  const copy = CANDLE_FIELDS.filter((f) => !(candles[f].buffer instanceof SharedArrayBuffer));
  const buffer = new SharedArrayBuffer(Math.max(8, copy.length * n * 8));
  const out = {} as SharedCandles;
  for (const f of CANDLE_FIELDS) {
    const col = candles[f];
    if (col.length !== n) {
      throw new RangeError(`Candle column ${f} has ${col.length} values, not ${n}.`);
    }
    const k = copy.indexOf(f);
    if (k < 0) {
      out[f] = { buffer: col.buffer as SharedArrayBuffer, byteOffset: col.byteOffset, length: n };
    } else {
      new Float64Array(buffer, k * n * 8, n).set(col);
      out[f] = { buffer, byteOffset: k * n * 8, length: n };
    }
  }
  return out;
}

/** Float64Array views on shared candles (no copy). */
export function sharedColumns(shared: SharedCandles): CandleColumns {
  const view = (c: SharedColumn) => new Float64Array(c.buffer, c.byteOffset, c.length);
  return {
    ts: view(shared.ts),
    open: view(shared.open),
    high: view(shared.high),
    low: view(shared.low),
    close: view(shared.close),
    volume: view(shared.volume),
  };
}
