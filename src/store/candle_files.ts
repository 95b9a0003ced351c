// Import and export of candle ranges as CSV or Parquet files, checked before anything is written.

import { type CandleColumns, isoUtc, type SeriesKey } from "../core/candles.ts";
import { ConfigError, InputError } from "../core/errors.ts";
import { formatCandleCsv, inferTimeframe } from "../data/csv.ts";
import { checkCandles, type Problem } from "../data/integrity.ts";
import { loadCandleCsv } from "./candle_csv.ts";
import {
  type CandleStore,
  queryColumns,
  sortedUnique,
  type TimeRange,
  type UpsertResult,
} from "./candle_store.ts";
import { type Db, sqlString } from "./db.ts";

/** File formats for candles. */
export type CandleFileFormat = "csv" | "parquet";

/** What an import did: the upsert result and the gaps found in the file (kept, not errors). */
export interface ImportResult extends UpsertResult {
  gaps: Problem[];
  /** The series' timeframe: the one given, or inferred from the candle spacing. */
  timeframe: string;
  /** True when the timeframe was inferred (tell the user so: `inferredNote` of data/csv.ts). */
  inferred: boolean;
}

/** Candles read from a file and checked: sorted by time, with the gaps found and the timeframe. */
export interface CandleFile {
  candles: CandleColumns;
  gaps: Problem[];
  timeframe: string;
  inferred: boolean;
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
 * Reads and checks a candle file (CSV of any layout readCandleCsv accepts, or Parquet). Every row
 * is checked (syntax, OHLC consistency, positive prices, the timeframe grid, duplicate times); one
 * bad row throws an InputError with the file, its line and what is wrong. Rows may come in any
 * order (they are returned sorted); gaps are allowed and returned. Without `timeframe` it is
 * inferred from the candle spacing.
 *
 * @example
 * ```ts
 * const { candles, timeframe } = await readCandleFile(db, "BTCUSDT-1m-2024-01.csv");
 * ```
 */
export async function readCandleFile(
  db: Db,
  file: string,
  options: { format?: string; timeframe?: string } = {},
): Promise<CandleFile> {
  const table = fileTable();
  try {
    const read = await loadChecked(db, file, options, table);
    return { ...read, candles: sortedUnique(read.candles) };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/**
 * Imports a candle file into a series: the checks of {@link readCandleFile}, then one upsert
 * straight from DuckDB's copy of the file; when the file fails, nothing is written. Without
 * `key.timeframe` it is inferred from the candle spacing.
 *
 * @example
 * ```ts
 * await importCandles(store, { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" }, "btc.csv");
 * ```
 */
export async function importCandles(
  store: CandleStore,
  key: Omit<SeriesKey, "timeframe"> & { timeframe?: string },
  file: string,
  options: { format?: string } = {},
): Promise<ImportResult> {
  const table = fileTable();
  try {
    const read = await loadChecked(store.db, file, { ...options, timeframe: key.timeframe }, table);
    const ts = read.candles.ts;
    let first = Infinity, last = -Infinity;
    for (let i = 0; i < ts.length; i++) {
      (first = Math.min(first, ts[i]), last = Math.max(last, ts[i]));
    }
    const result = await store.upsertTable({ ...key, timeframe: read.timeframe }, table, {
      count: ts.length,
      first,
      last,
    });
    return { ...result, gaps: read.gaps, timeframe: read.timeframe, inferred: read.inferred };
  } finally {
    await store.db.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

let tables = 0;
/** A temporary table name of its own for each file read (reads may overlap on one Db). */
function fileTable(): string {
  return `tw_file_${++tables}`;
}

/** A checked file (candles in file order), its rows left in the temporary table `table`. */
async function loadChecked(
  db: Db,
  file: string,
  options: { format?: string; timeframe?: string },
  table: string,
): Promise<CandleFile> {
  const format = fileFormat(file, options.format);
  let candles: CandleColumns;
  let where: (i: number) => Promise<string>;
  if (format === "csv") {
    const csv = await loadCandleCsv(db, file, table);
    candles = csv.candles;
    where = async (i) => `${file}:${(await csv.lineOf(i)).line}`;
  } else {
    candles = await loadParquet(db, file, table);
    where = (i) => Promise.resolve(`${file}: row ${i + 1}`);
  }
  const timeframe = options.timeframe ?? inferTimeframe(candles.ts, file);
  const problems = checkCandles(candles, timeframe);
  const bad = problems.find((p) => p.kind !== "gap" && p.kind !== "unordered");
  if (bad) {
    const i = bad.kind === "duplicate"
      ? candles.ts.lastIndexOf(bad.ts)
      : candles.ts.indexOf(bad.ts);
    const at = i >= 0 ? await where(i) : file;
    throw new InputError(`${at}: ${bad.detail} (${bad.kind}). Nothing was imported.`);
  }
  return {
    candles,
    gaps: problems.filter((p) => p.kind === "gap"),
    timeframe,
    inferred: options.timeframe === undefined,
  };
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

/** A Parquet file's candles, left in the temporary table `table` as {@link loadCandleCsv} does. */
async function loadParquet(db: Db, file: string, table: string): Promise<CandleColumns> {
  await readText(file, true);
  const src = `read_parquet(${sqlString(file)})`;
  const described = await db.all(`DESCRIBE SELECT * FROM ${src}`);
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
  const ts = tsType.startsWith("TIMESTAMP")
    ? "epoch_ms(timestamp)"
    : "TRY_CAST(timestamp AS BIGINT)";
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${ts} AS ts, open::DOUBLE AS open,
       high::DOUBLE AS high, low::DOUBLE AS low, close::DOUBLE AS close,
       volume::DOUBLE AS volume FROM ${src}`,
  );
  return await queryColumns(db, `SELECT ts::DOUBLE, open, high, low, close, volume FROM ${table}`);
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
