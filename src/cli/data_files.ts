// `data import` and `data export`: candle files (CSV or Parquet) in and out of the store.

import { timeframeMs } from "../core/timeframe.ts";
import { inferredNote } from "../data/csv.ts";
import { exportCandles, importCandles } from "../store/candle_files.ts";
import { optional, parseFlags, required } from "./args.ts";
import { type DataCommand, rangeFlags, seriesFlags } from "./data_command.ts";
import { withStore } from "./open_store.ts";

const SERIES = {
  exchange: { type: "string" },
  symbol: { type: "string" },
  timeframe: { type: "string" },
  db: { type: "string" },
} as const;

/** The import command. */
export const importCommand: DataCommand = {
  summary: "Import a candle CSV or Parquet file (all rows or nothing)",
  usage:
    "--file F.csv|F.parquet --exchange E --symbol S [--timeframe TF] [--format csv|parquet] [--db PATH]\n" +
    "CSV: a header naming timestamp (or time, date, open_time...), open, high, low, close and\n" +
    "volume in any case and order, more columns ignored; or no header and those six first\n" +
    "(Binance kline dumps). Timestamps in epoch s, ms, us or ns, or ISO-8601 (UTC when no offset).\n" +
    "Without --timeframe it is inferred from the candle spacing.",
  async run(argv) {
    const cmd = "deno task data import";
    const f = parseFlags(
      argv,
      { ...SERIES, file: { type: "string" }, format: { type: "string" } },
      cmd,
    );
    const timeframe = optional(f, "timeframe");
    if (timeframe) timeframeMs(timeframe);
    const key = {
      exchange: required(f, "exchange", cmd).toLowerCase(),
      symbol: required(f, "symbol", cmd),
      timeframe,
    };
    const file = required(f, "file", cmd);
    return await withStore(optional(f, "db"), async (store) => {
      const res = await importCandles(store, key, file, { format: optional(f, "format") });
      if (res.inferred) console.error(inferredNote(res.timeframe));
      console.log(
        `Imported ${res.written} candles into ${key.exchange} ${key.symbol} ${res.timeframe}` +
          ` (${res.replaced} replaced stored ones).`,
      );
      if (res.gaps.length) {
        const missing = res.gaps.reduce((s, g) => s + (g.missing ?? 0), 0);
        console.log(
          `Note: the file has ${res.gaps.length} gap(s), ${missing} candles missing in all.`,
        );
      }
      return 0;
    });
  },
};

/** The export command. */
export const exportCommand: DataCommand = {
  summary: "Export stored candles to CSV or Parquet",
  usage:
    "--exchange E --symbol S --timeframe TF --file OUT.csv|OUT.parquet [--from T] [--to T] [--format csv|parquet] [--db PATH]",
  async run(argv) {
    const cmd = "deno task data export";
    const f = parseFlags(argv, {
      ...SERIES,
      file: { type: "string" },
      format: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
    }, cmd);
    const key = seriesFlags(f, cmd);
    const file = required(f, "file", cmd);
    return await withStore(optional(f, "db"), async (store) => {
      const n = await exportCandles(store, key, file, {
        ...rangeFlags(f),
        format: optional(f, "format"),
      });
      console.log(`Wrote ${n} candles to ${file}.`);
      return 0;
    });
  },
};
