// Candle types: the row form for small work and the columnar form the engine and store use.

/** One OHLCV candle; `ts` is its open time in UTC epoch milliseconds. */
export interface Candle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Candles as parallel columns of equal length, ordered by `ts` ascending. */
export interface CandleColumns {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Which series a candle belongs to. `symbol` is the unified ccxt spelling, e.g. "BTC/USDT". */
export interface SeriesKey {
  exchange: string;
  symbol: string;
  timeframe: string;
}

/** Names of the OHLCV columns in their stored order. */
export const CANDLE_FIELDS = ["ts", "open", "high", "low", "close", "volume"] as const;

/** Allocates empty columns for `n` candles. */
export function allocColumns(n: number): CandleColumns {
  return {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Converts rows to columns (in the given order). */
export function toColumns(rows: readonly Candle[]): CandleColumns {
  const cols = allocColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    cols.ts[i] = r.ts;
    cols.open[i] = r.open;
    cols.high[i] = r.high;
    cols.low[i] = r.low;
    cols.close[i] = r.close;
    cols.volume[i] = r.volume;
  }
  return cols;
}

/** Row `i` of `cols` as a candle. */
export function candleAt(cols: CandleColumns, i: number): Candle {
  return {
    ts: cols.ts[i],
    open: cols.open[i],
    high: cols.high[i],
    low: cols.low[i],
    close: cols.close[i],
    volume: cols.volume[i],
  };
}

/** Converts columns to rows. */
export function toRows(cols: CandleColumns): Candle[] {
  const out: Candle[] = new Array(cols.ts.length);
  for (let i = 0; i < cols.ts.length; i++) out[i] = candleAt(cols, i);
  return out;
}

/** A view of rows [start, end) of `cols`, sharing memory. */
export function sliceColumns(cols: CandleColumns, start: number, end: number): CandleColumns {
  return {
    ts: cols.ts.subarray(start, end),
    open: cols.open.subarray(start, end),
    high: cols.high.subarray(start, end),
    low: cols.low.subarray(start, end),
    close: cols.close.subarray(start, end),
    volume: cols.volume.subarray(start, end),
  };
}

/** Formats an epoch-ms time as ISO-8601 UTC, e.g. "2024-01-01T00:00:00.000Z". */
export function isoUtc(ts: number): string {
  return new Date(ts).toISOString();
}
