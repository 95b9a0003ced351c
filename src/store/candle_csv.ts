// Candle CSV files read by DuckDB's CSV reader: explicit column types, its rejects table for the
// line of a bad row, and timestamps in any epoch unit or ISO-8601 turned into UTC milliseconds.

import type { CandleColumns } from "../core/candles.ts";
import { InputError } from "../core/errors.ts";
import { clip, CSV_FIELDS, type CsvLayout, csvLayout, EPOCH_UNITS } from "../data/csv.ts";
import { queryColumns } from "./candle_store.ts";
import { Db, sqlString } from "./db.ts";

/** Candles read from a CSV file, in file order, and where each came from. */
export interface CsvCandles {
  candles: CandleColumns;
  /** The 1-based file line of candle `i` and its text (reads the file again: for messages). */
  lineOf(i: number): Promise<{ line: number; text: string }>;
}

/** Bytes read to tell the layout (header, delimiter, epoch or ISO timestamps). */
const HEAD_BYTES = 65_536;
const REJECTS = "tw_csv_rejects";
const SCANS = "tw_csv_scans";
let reads = 0;
/** Our names for the columns, so a header's own names never reach SQL. */
const SQL_NAMES = ["ts", "open", "high", "low", "close", "volume"];

/**
 * Reads a candle CSV of any layout {@link csvLayout} accepts with DuckDB's `read_csv` (parallel,
 * typed columns): epoch timestamps in s, ms, µs or ns by magnitude, or ISO-8601 (UTC when no
 * offset). A malformed row (a field that is not a number, too few or too many fields, a timestamp
 * that is neither) throws an InputError with the file, its line and what is wrong. Values are not
 * judged here (see checkCandles): an empty price comes back as NaN.
 *
 * @example
 * ```ts
 * const { candles } = await readCandleCsv(db, "BTCUSDT-1m-2024-01.csv");
 * ```
 */
export async function readCandleCsv(db: Db, file: string): Promise<CsvCandles> {
  const table = `tw_csv_read_${++reads}`;
  try {
    return await loadCandleCsv(db, file, table);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/**
 * {@link readCandleCsv} that leaves the rows in the temporary table `table` (ts BIGINT in ms,
 * open, high, low, close, volume DOUBLE, in file order) for the caller to write from and drop
 * (dropped here when the read fails).
 */
export async function loadCandleCsv(db: Db, file: string, table: string): Promise<CsvCandles> {
  const layout = csvLayout(await readHead(file), file);
  const lineOf = (i: number) => rowLine(file, layout, i);
  const candles = await db.exclusive(async () => {
    await dropRejects(db);
    try {
      try {
        await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${readCsvSql(file, layout)}`);
      } catch (err) {
        const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
        throw new InputError(
          `${file}: DuckDB cannot read it as CSV (${why.replace(/^[\w ]*Error: /, "")}). ` +
            `Nothing was imported.`,
          { cause: err },
        );
      }
      const [bad] = await db.all(
        `SELECT line, column_name, error_type, error_message FROM ${REJECTS}
         ORDER BY line, error_type NOT IN ('MISSING COLUMNS', 'TOO MANY COLUMNS'), column_idx
         LIMIT 1`,
      );
      if (bad) throw await rejectError(file, layout, bad);
      return await queryColumns(
        db,
        `SELECT ts::DOUBLE, open, high, low, close, volume FROM ${table}`,
      );
    } catch (err) {
      await db.run(`DROP TABLE IF EXISTS ${table}`);
      throw err;
    } finally {
      await dropRejects(db);
    }
  });
  try {
    if (candles.ts.length === 0) {
      throw new InputError(`${file}: the file has no candles. Nothing was imported.`);
    }
    const ts = candles.ts;
    for (let i = 0; i < ts.length; i++) {
      if (ts[i] === ts[i]) continue; // not NaN
      const { line, text } = await lineOf(i);
      const raw = text.split(layout.delimiter)[layout.columns[0]]?.trim() ?? "";
      throw new InputError(
        `${file}:${line}: ${fieldName(layout, 0)} ` +
          (raw === ""
            ? "is empty"
            : `"${clip(raw)}" is neither an epoch time (s, ms, us or ns) nor ISO-8601`) +
          `. Nothing was imported.`,
      );
    }
  } catch (err) {
    await db.run(`DROP TABLE IF EXISTS ${table}`);
    throw err;
  }
  return { candles, lineOf };
}

/** The first bytes of `file` as text; a missing file is an InputError naming it. */
async function readHead(file: string): Promise<string> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(`File "${file}" does not exist.`);
    }
    throw err;
  }
  try {
    const buf = new Uint8Array(HEAD_BYTES);
    let n = 0;
    while (n < buf.length) {
      const got = await f.read(buf.subarray(n));
      if (got === null) break;
      n += got;
    }
    return new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    f.close();
  }
}

/** SQL for a timestamp column `x` (DOUBLE) in epoch units, as ms by magnitude. */
function epochMsSql(x: string): string {
  const arms = EPOCH_UNITS.map((u) => {
    const ms = `${x}${u.times !== 1 ? ` * ${u.times}` : ""}${u.per !== 1 ? ` / ${u.per}` : ""}`;
    return u.below === Infinity ? `ELSE ${ms}` : `WHEN abs(${x}) < ${u.below} THEN ${ms}`;
  });
  return `TRY_CAST(round(CASE ${arms.join(" ")} END) AS BIGINT)`;
}

/**
 * SQL for a text timestamp `x`: an epoch number as {@link epochMsSql}; else ISO-8601, through
 * TIMESTAMPTZ when it carries an offset or Z and TIMESTAMP (that is, UTC) when not; NULL if none.
 */
function textMsSql(x: string): string {
  const t = `trim(${x})`;
  const zoned = `regexp_matches(${t}, '\\d[T ]\\d{1,2}:\\d{2}[^+-]*([Zz]|[+-]\\d{2}(:?\\d{2})?)$')`;
  return `CASE WHEN TRY_CAST(${t} AS DOUBLE) IS NOT NULL THEN ${
    epochMsSql(`TRY_CAST(${t} AS DOUBLE)`)
  } WHEN ${zoned} THEN epoch_ms(TRY_CAST(${t} AS TIMESTAMPTZ))
    ELSE epoch_ms(TRY_CAST(${t} AS TIMESTAMP)) END`;
}

/** The query reading the file's six candle columns (ts BIGINT in ms, the rest DOUBLE). */
function readCsvSql(file: string, layout: CsvLayout): string {
  const names = layout.names.map((_, i) => `x${i + 1}`);
  const types = layout.names.map(() => "VARCHAR");
  layout.columns.forEach((col, k) => {
    names[col] = SQL_NAMES[k];
    types[col] = k === 0 && !layout.epoch ? "VARCHAR" : "DOUBLE";
  });
  const columns = names.map((n, i) => `'${n}': '${types[i]}'`).join(", ");
  const options = [
    `header = ${layout.header}`,
    "auto_detect = false",
    `delim = ${sqlString(layout.delimiter)}`,
    `quote = '"'`,
    `escape = '"'`,
    `columns = {${columns}}`,
    "store_rejects = true",
    `rejects_table = '${REJECTS}'`,
    `rejects_scan = '${SCANS}'`,
  ].join(", ");
  const ts = layout.epoch ? epochMsSql("ts") : textMsSql("ts");
  return `SELECT ${ts} AS ts, open, high, low, close, volume FROM read_csv(${
    sqlString(file)
  }, ${options})`;
}

async function dropRejects(db: Db): Promise<void> {
  await db.run(`DROP TABLE IF EXISTS ${REJECTS}; DROP TABLE IF EXISTS ${SCANS}`);
}

/** The InputError for the first row DuckDB rejected, in our words where we know the case. */
async function rejectError(
  file: string,
  layout: CsvLayout,
  bad: Record<string, unknown>,
): Promise<InputError> {
  const line = Number(bad.line);
  const type = String(bad.error_type);
  const message = String(bad.error_message);
  let why: string;
  if (type === "MISSING COLUMNS" || type === "TOO MANY COLUMNS") {
    const found = /Found: (\d+)/.exec(message)?.[1] ?? "another number of";
    const text = (await fileLines(file)).at(line - 1) ?? "";
    why = `expected ${layout.names.length} fields as on line 1, found ${found}` +
      (text.trim() === "" ? " (a blank line)" : ` in "${clip(text.trim())}"`);
  } else if (type === "CAST") {
    const k = SQL_NAMES.indexOf(String(bad.column_name));
    const name = k >= 0 ? fieldName(layout, k) : String(bad.column_name);
    const value = /Could not convert string "(.*)" to/.exec(message)?.[1] ?? "";
    why = k === 0
      ? `${name} "${clip(value)}" is not an epoch number like the first candle's`
      : `${name} "${clip(value)}" is not a number`;
  } else {
    why = message.split("\n")[0].replace(/\.+$/, "");
  }
  return new InputError(`${file}:${line}: ${why}. Nothing was imported.`);
}

/** Field `k` of {@link CSV_FIELDS} as the file names it, or by its role and column. */
function fieldName(layout: CsvLayout, k: number): string {
  const col = layout.columns[k];
  return layout.header && layout.names[col]
    ? layout.names[col]
    : `${CSV_FIELDS[k]} (column ${col + 1})`;
}

/** The file's lines, without line ends. */
async function fileLines(file: string): Promise<string[]> {
  return (await Deno.readTextFile(file)).split("\n").map((l) => l.replace(/\r$/, ""));
}

/**
 * The line of data row `i` as DuckDB counts rows: after the header, empty lines skipped (a
 * row it rejected fails the read before anyone asks).
 */
async function rowLine(
  file: string,
  layout: CsvLayout,
  i: number,
): Promise<{ line: number; text: string }> {
  const lines = await fileLines(file);
  let row = -1;
  for (let l = layout.header ? 1 : 0; l < lines.length; l++) {
    if (lines[l] === "") continue;
    if (++row === i) return { line: l + 1, text: lines[l] };
  }
  return { line: 0, text: "" };
}

/**
 * {@link readCandleCsv} with a DuckDB of its own in memory, for commands that open no store.
 *
 * @example
 * ```ts
 * const { candles } = await readCandleCsvApart("btc.csv");
 * ```
 */
export async function readCandleCsvApart(file: string): Promise<CsvCandles> {
  const db = await Db.open(":memory:");
  try {
    return await readCandleCsv(db, file);
  } finally {
    await db.close();
  }
}
