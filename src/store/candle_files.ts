// Import and export of candle ranges as CSV or Parquet files, validated before anything is written.

import { type CandleColumns, isoUtc, type SeriesKey } from "../core/candles.ts";
import { ConfigError, InputError } from "../core/errors.ts";
import { formatCandleCsv, parseCandleCsv } from "../data/csv.ts";
import { checkCandles, type Problem } from "../data/integrity.ts";
import {
  type CandleStore,
  queryColumns,
  type TimeRange,
  type UpsertResult,
} from "./candle_store.ts";
import { sqlString } from "./db.ts";

/** File formats for candles. */
export type CandleFileFormat = "csv" | "parquet";

/** What an import did: the upsert result and the gaps found in the file (kept, not errors). */
export interface ImportResult extends UpsertResult {
  gaps: Problem[];
}

/** The format named by `format`, else by the file's extension. */
export function fileFormat(file: string, format?: string): CandleFileFormat {
  const f = (format ?? file.split(".").pop() ?? "").toLowerCase();
  if (f === "csv" || f === "parquet") return f;
  throw new ConfigError(
    `Cannot tell the format of "${file}": name it .csv or .parquet, or pass --format csv|parquet.`,
  );
}

/**
 * Imports a candle file into a series. Every row is checked first (syntax, OHLC consistency,
 * positive prices, the timeframe grid, duplicate times); one bad row fails the whole import with
 * its line and nothing is written. Gaps are allowed and returned.
 *
 * @example
 * ```ts
 * await importCandles(store, { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" }, "btc.csv");
 * ```
 */
export async function importCandles(
  store: CandleStore,
  key: SeriesKey,
  file: string,
  options: { format?: string } = {},
): Promise<ImportResult> {
  const format = fileFormat(file, options.format);
  let candles: CandleColumns;
  let where: (i: number) => string;
  if (format === "csv") {
    const parsed = parseCandleCsv(await readText(file), file);
    candles = parsed.candles;
    where = (i) => `${file}:${parsed.lines[i]}`;
  } else {
    candles = await readParquet(store, file);
    where = (i) => `${file}: row ${i + 1}`;
  }
  const problems = checkCandles(candles, key.timeframe);
  const bad = problems.find((p) => p.kind !== "gap" && p.kind !== "unordered");
  if (bad) {
    const i = bad.kind === "duplicate"
      ? candles.ts.lastIndexOf(bad.ts)
      : candles.ts.indexOf(bad.ts);
    const at = i >= 0 ? where(i) : file;
    throw new InputError(`${at}: ${bad.detail} (${bad.kind}). Nothing was imported.`);
  }
  const result = await store.upsert(key, candles);
  return { ...result, gaps: problems.filter((p) => p.kind === "gap") };
}

/** Exports a series range to CSV or Parquet; returns how many candles were written. */
export async function exportCandles(
  store: CandleStore,
  key: SeriesKey,
  file: string,
  options: TimeRange & { format?: string } = {},
): Promise<number> {
  const format = fileFormat(file, options.format);
  const cols = await store.read(key, options);
  if (cols.ts.length === 0) {
    throw new InputError(
      `No candles stored for ${key.exchange} ${key.symbol} ${key.timeframe}` +
        (options.from !== undefined ? ` from ${isoUtc(options.from)}` : "") +
        `: nothing to export. See what is stored with "deno task data list".`,
    );
  }
  if (format === "csv") {
    await Deno.writeTextFile(file, formatCandleCsv(cols));
    return cols.ts.length;
  }
  const id = await store.seriesId(key);
  const conds = [`series_id = ${id}`];
  if (options.from !== undefined) conds.push(`ts >= ${Math.trunc(options.from)}`);
  if (options.to !== undefined) conds.push(`ts < ${Math.trunc(options.to)}`);
  await store.db.run(
    `COPY (SELECT ts AS timestamp, open, high, low, close, volume FROM candles
           WHERE ${conds.join(" AND ")} ORDER BY ts)
     TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  return cols.ts.length;
}

async function readParquet(store: CandleStore, file: string): Promise<CandleColumns> {
  await readText(file, true);
  const src = `read_parquet(${sqlString(file)})`;
  const described = await store.db.all(`DESCRIBE SELECT * FROM ${src}`);
  const types = new Map(
    described.map((r) => [String(r.column_name).toLowerCase(), String(r.column_type)]),
  );
  const need = ["timestamp", "open", "high", "low", "close", "volume"];
  const missing = need.filter((c) => !types.has(c));
  if (missing.length) {
    throw new InputError(
      `${file}: missing column(s) ${missing.join(", ")}; expected ${
        need.join(", ")
      }. Nothing was imported.`,
    );
  }
  const tsType = types.get("timestamp")!;
  const ts = tsType.startsWith("TIMESTAMP") ? "epoch_ms(timestamp)::DOUBLE" : "timestamp::DOUBLE";
  return await queryColumns(
    store.db,
    `SELECT ${ts}, open::DOUBLE, high::DOUBLE, low::DOUBLE, close::DOUBLE, volume::DOUBLE FROM ${src}`,
  );
}

/** Reads a user-named file, turning "not found" into an InputError that names it. */
export async function readText(file: string, existsOnly = false): Promise<string> {
  try {
    if (existsOnly) {
      await Deno.stat(file);
      return "";
    }
    return await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(`File "${file}" does not exist.`);
    }
    throw err;
  }
}
