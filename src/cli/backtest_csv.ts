// The backtest's `--csv FILE` input: the file read and checked as an import would, its timeframe
// given or inferred (and said so), cut to --from/--to.

import { type CandleColumns, type SeriesKey, sliceColumns } from "../core/candles.ts";
import { timeframeMs } from "../core/timeframe.ts";
import { inferredNote } from "../data/csv.ts";
import { readCandleFile } from "../store/candle_files.ts";
import type { Db } from "../store/db.ts";

/** What `--csv` comes with: the other flags that name the series, and the time range. */
export interface CsvInput {
  /** --exchange ["csv"]. */
  exchange?: string;
  /** --symbol [the file's name without its folder and ".csv"]. */
  symbol?: string;
  /** --timeframe [inferred from the candle spacing, with a note on stderr]. */
  timeframe?: string;
  /** --from, inclusive. */
  from?: number;
  /** --to, exclusive. */
  to?: number;
}

/**
 * The candles of a CSV file for a backtest, sorted by time, and the series they stand for. A bad
 * row fails with the file, its line and what is wrong, as `data import` does.
 *
 * @example
 * ```ts
 * const { candles, series } = await csvSeries(db, "BTCUSDT-1m-2024-01.csv", {});
 * ```
 */
export async function csvSeries(
  db: Db,
  file: string,
  input: CsvInput,
): Promise<{ candles: CandleColumns; series: SeriesKey }> {
  if (input.timeframe !== undefined) timeframeMs(input.timeframe);
  const read = await readCandleFile(db, file, { format: "csv", timeframe: input.timeframe });
  if (read.inferred) console.error(inferredNote(read.timeframe));
  const ts = read.candles.ts;
  const lo = input.from ?? -Infinity, hi = input.to ?? Infinity;
  let start = 0, end = ts.length;
  while (start < end && ts[start] < lo) start++;
  while (end > start && ts[end - 1] >= hi) end--;
  return {
    candles: sliceColumns(read.candles, start, end),
    series: {
      exchange: input.exchange ?? "csv",
      symbol: input.symbol ?? file.replace(/^.*\//, "").replace(/\.csv$/i, ""),
      timeframe: read.timeframe,
    },
  };
}
