// Candle CSV: the layouts we read (header aliases, headerless dumps, extra columns), epoch units by
// magnitude, timeframe inference from the candle spacing, and writing in our own format.

import type { CandleColumns } from "../core/candles.ts";
import { InputError } from "../core/errors.ts";

/** The header we write (and the first of the layouts we read). */
export const CSV_HEADER = "timestamp,open,high,low,close,volume";

/** The fields a candle CSV must hold, in the order of {@link CsvLayout.columns}. */
export const CSV_FIELDS = ["timestamp", "open", "high", "low", "close", "volume"] as const;

/** A field of {@link CSV_FIELDS}. */
export type CsvField = typeof CSV_FIELDS[number];

/**
 * Header names accepted for each field, compared in lower case with spaces and dashes as `_`.
 * For the timestamp, the first alias present wins (a file with `unix` and `date` uses `unix`).
 * A volume column may also be named `volume <something>` (`Volume USDT`).
 */
export const CSV_ALIASES: Readonly<Record<CsvField, readonly string[]>> = {
  timestamp: [
    "timestamp",
    "timestamp_ms",
    "open_time",
    "opentime",
    "unix",
    "time",
    "datetime",
    "date_time",
    "date",
    "ts",
  ],
  open: ["open", "o"],
  high: ["high", "h"],
  low: ["low", "l"],
  close: ["close", "c"],
  volume: ["volume", "vol", "v"],
};

/** How a candle CSV is laid out, as told by its first line. */
export interface CsvLayout {
  /** True when the first line names the columns (it is then skipped). */
  header: boolean;
  /** Field separator: `,`, `;` or a tab. */
  delimiter: string;
  /** Every column's name as the file gives it (`column1`... without a header). */
  names: string[];
  /** 0-based column of each of {@link CSV_FIELDS}, in that order. */
  columns: [number, number, number, number, number, number];
  /** True when the first candle's timestamp is a number (epoch), false for ISO text. */
  epoch: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** A field as written, without surrounding blanks and double quotes. */
function bare(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/**
 * The layout of a candle CSV from the start of its text (`head`, the first kilobytes): a header
 * whose names match {@link CSV_ALIASES} (in any case, extra columns ignored), or no header when
 * the first line is already a candle; then the columns are timestamp, open, high, low, close,
 * volume, and the rest (Binance's close time, quote volume, trades...) are ignored. The first
 * candle tells epoch numbers from ISO text. Throws an InputError naming `source`, the line and
 * the fix.
 *
 * @example
 * ```ts
 * csvLayout("time,open,high,low,close,Volume\n1704067200,1,2,0.5,1.5,10\n", "tv.csv").columns;
 * // [0, 1, 2, 3, 4, 5]
 * ```
 */
export function csvLayout(head: string, source: string): CsvLayout {
  const lines = head.replace(/^\uFEFF/, "").split("\n", 64).map((l) => l.replace(/\r$/, ""));
  const line = lines[0];
  const fail = (why: string): never => {
    throw new InputError(`${source}:1: ${why}. Nothing was imported.`);
  };
  if (line.trim() === "") {
    fail(
      lines.length === 1
        ? `the file is empty; expected a header such as "${CSV_HEADER}" and candles`
        : `the first line is empty; expected a header such as "${CSV_HEADER}" or a candle`,
    );
  }
  const delimiter = [",", ";", "\t"]
    .map((d) => ({ d, n: line.split(d).length }))
    .sort((a, b) => b.n - a.n)[0].d;
  const fields = line.split(delimiter).map(bare);
  const header = !(NUMBER.test(fields[0]) || ISO_DATE.test(fields[0]));
  let columns = [0, 1, 2, 3, 4, 5];
  if (!header && fields.length < 6) {
    fail(
      `the first line "${clip(line)}" has ${fields.length} fields and no header; a file ` +
        `without a header needs timestamp, open, high, low, close and volume first, in that order`,
    );
  }
  if (header) {
    const norm = fields.map((f) => f.toLowerCase().replace(/[\s-]+/g, "_"));
    columns = CSV_FIELDS.map((field) => {
      for (const alias of CSV_ALIASES[field]) {
        const i = norm.indexOf(alias);
        if (i >= 0) return i;
      }
      return field === "volume" ? norm.findIndex((n) => n.startsWith("volume_")) : -1;
    });
    const missing = CSV_FIELDS.filter((_, k) => columns[k] < 0);
    if (missing.length) {
      const names = missing.map((f) =>
        f === "timestamp" ? "timestamp (or time, date, open_time, timestamp_ms...)" : f
      );
      fail(
        `the header "${clip(line, 80)}" has no ${names.join(", no ")} column; expected ` +
          `"${CSV_HEADER}" (names in any case, more columns allowed) or no header at all`,
      );
    }
  }
  const firstCandle = header ? lines.slice(1).find((l) => l.trim() !== "") : line;
  const ts = firstCandle?.split(delimiter)[columns[0]] ?? "";
  return {
    header,
    delimiter,
    names: header ? fields : fields.map((_, i) => `column${i + 1}`),
    columns: columns as CsvLayout["columns"],
    epoch: NUMBER.test(bare(ts)),
  };
}

/**
 * Epoch units told apart by magnitude (absolute value below `below`): seconds, milliseconds,
 * microseconds, else nanoseconds; a value times `times` divided by `per` is milliseconds.
 */
export const EPOCH_UNITS: readonly { unit: string; below: number; times: number; per: number }[] = [
  { unit: "s", below: 1e11, times: 1000, per: 1 },
  { unit: "ms", below: 1e14, times: 1, per: 1 },
  { unit: "us", below: 1e17, times: 1, per: 1000 },
  { unit: "ns", below: Infinity, times: 1, per: 1_000_000 },
];

/** Timeframes {@link inferTimeframe} may answer, shortest first (those exchanges offer). */
export const INFERABLE_TIMEFRAMES = [
  "1s",
  "1m",
  "3m",
  "5m",
  "10m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
] as const;

/** Units of time, longest first, for naming a spacing. */
const UNIT_MS = [
  { unit: "w", ms: 604_800_000 },
  { unit: "d", ms: 86_400_000 },
  { unit: "h", ms: 3_600_000 },
  { unit: "m", ms: 60_000 },
  { unit: "s", ms: 1_000 },
];

/** A length of time in the largest whole unit: 90000 -> "90s", 300000 -> "5m". */
function spanText(ms: number): string {
  for (const u of UNIT_MS) if (ms % u.ms === 0) return `${ms / u.ms}${u.unit}`;
  return `${ms}ms`;
}

/**
 * The timeframe of candles from their spacing: the most common step between consecutive open
 * times (in time order, repeats ignored) must be one of {@link INFERABLE_TIMEFRAMES}, and every
 * step a whole number of it (longer steps are gaps). Otherwise the candles are irregular and an
 * InputError naming `source` says what was found and to pass --timeframe.
 *
 * @example
 * ```ts
 * inferTimeframe(Float64Array.of(0, 60_000, 120_000, 300_000), "a.csv"); // "1m"
 * ```
 */
export function inferTimeframe(ts: Float64Array, source: string): string {
  let sorted = ts;
  for (let i = 1; i < ts.length; i++) {
    if (!(ts[i] >= ts[i - 1])) {
      sorted = Float64Array.from(ts).sort();
      break;
    }
  }
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const fail = (why: string, tf = "1m"): never => {
    const example = tf.endsWith("ms") ? "1m" : tf; // a timeframe is whole seconds at least
    throw new InputError(
      `${source}: cannot infer the timeframe: ${why}. Pass --timeframe (such as --timeframe ${example}).`,
    );
  };
  if (counts.size === 0) fail(`it needs at least two candles at different times`);
  let step = 0, most = 0;
  for (const [d, n] of counts) if (n > most || (n === most && d < step)) (step = d, most = n);
  const tf = spanText(step);
  if (!(INFERABLE_TIMEFRAMES as readonly string[]).includes(tf)) {
    fail(`the candles are most often ${tf} apart, which is no usual timeframe`, tf);
  }
  const odd = [...counts.keys()].filter((d) => d % step !== 0).sort((a, b) => a - b);
  if (odd.length) {
    fail(
      `the candles are irregular: most are ${tf} apart, but ${
        odd.slice(0, 3).map(spanText).join(", ")
      } steps are not whole ${tf} candles`,
      tf,
    );
  }
  return tf;
}

/** The line printed (on stderr) when the timeframe was inferred. */
export function inferredNote(timeframe: string): string {
  return `timeframe ${timeframe} inferred from the candle spacing (pass --timeframe to choose)`;
}

/** `s` cut to `max` characters with "..." when longer. */
export function clip(s: string, max = 40): string {
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

/** Formats candles as CSV text (header included). Numbers round-trip exactly. */
export function formatCandleCsv(cols: CandleColumns): string {
  const parts: string[] = [CSV_HEADER];
  for (let i = 0; i < cols.ts.length; i++) {
    parts.push(
      `${cols.ts[i]},${cols.open[i]},${cols.high[i]},${cols.low[i]},${cols.close[i]},${
        cols.volume[i]
      }`,
    );
  }
  parts.push("");
  return parts.join("\n");
}
