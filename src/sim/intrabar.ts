// Lower-timeframe candles inside each base candle, so the broker can tell which level came first.

import { type CandleColumns, sliceColumns } from "../core/candles.ts";

/**
 * For base candles of length `baseMs`, returns a function giving the lower-timeframe candles that
 * open inside base candle i (a view, no copy), or undefined when there are none.
 */
export function intrabarSlices(
  base: CandleColumns,
  baseMs: number,
  lower: CandleColumns,
): (i: number) => CandleColumns | undefined {
  const n = base.ts.length;
  const start = new Int32Array(n + 1);
  let j = 0;
  for (let i = 0; i < n; i++) {
    while (j < lower.ts.length && lower.ts[j] < base.ts[i]) j++;
    start[i] = j;
  }
  start[n] = lower.ts.length;
  return (i) => {
    const from = start[i];
    let to = from;
    const end = base.ts[i] + baseMs;
    while (to < lower.ts.length && lower.ts[to] < end) to++;
    return to > from ? sliceColumns(lower, from, to) : undefined;
  };
}
