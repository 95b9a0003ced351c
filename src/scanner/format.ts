// Scan results for people and files: an aligned text table and CSV with every metric.

import { isoUtc } from "../core/candles.ts";
import type { ScanRow, SkippedSeries } from "./rank.ts";

/** Every CSV column, in order: the row's fields (times as epoch ms, plus ISO copies). */
export const CSV_COLUMNS = [
  "rank",
  "timeframe",
  "symbol",
  "score",
  "pVolatility",
  "pLiquidity",
  "pTrend",
  "yangZhang",
  "yangZhangK",
  "closeToClose",
  "parkinson",
  "garmanKlass",
  "rogersSatchell",
  "realized",
  "rvTimeframe",
  "rvReturns",
  "atr",
  "atrPct",
  "adx",
  "efficiency",
  "change",
  "close",
  "volume",
  "quoteVolume",
  "quoteVolumePerDay",
  "candles",
  "missing",
  "first",
  "last",
] as const satisfies readonly (keyof ScanRow)[];

/** A number with fixed decimals, "-" when not finite. */
function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}

/** A fraction as a percentage with one decimal ("62.3"), "-" when not finite. */
function pct(x: number): string {
  return fixed(x * 100, 1);
}

/**
 * A large amount with a k/M/B/T suffix and three significant digits: 1234567 → "1.23M".
 *
 * @example
 * ```ts
 * compactNumber(98_765); // "98.8k"
 * ```
 */
export function compactNumber(x: number): string {
  if (!Number.isFinite(x)) return "-";
  const units = ["", "k", "M", "B", "T"];
  let i = 0;
  let v = Math.abs(x);
  while (v >= 999.5 && i < units.length - 1) (v /= 1000, i++);
  const digits = v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2;
  return `${x < 0 ? "-" : ""}${v.toFixed(i === 0 && Number.isInteger(v) ? 0 : digits)}${units[i]}`;
}

const TABLE_HEADER = [
  "#",
  "tf",
  "symbol",
  "score",
  "yz%",
  "cc%",
  "park%",
  "gk%",
  "rs%",
  "rv%",
  "atr%",
  "adx",
  "er",
  "chg%",
  "qvol/day",
  "candles",
];

/** Columns whose values are right-aligned (numbers). */
const RIGHT = new Set(TABLE_HEADER.filter((h) => h !== "tf" && h !== "symbol"));

/**
 * The ranked rows as an aligned text table: volatilities annualised in %, ATR as % of price,
 * ADX, efficiency ratio, change over the window in %, quote volume per day, candles used.
 *
 * @example
 * ```ts
 * console.log(formatTable(result.rows));
 * ```
 */
export function formatTable(rows: readonly ScanRow[]): string {
  const body = rows.map((r) => [
    String(r.rank),
    r.timeframe,
    r.symbol,
    fixed(r.score, 1),
    pct(r.yangZhang),
    pct(r.closeToClose),
    pct(r.parkinson),
    pct(r.garmanKlass),
    pct(r.rogersSatchell),
    pct(r.realized),
    fixed(r.atrPct, 2),
    fixed(r.adx, 1),
    fixed(r.efficiency, 2),
    pct(r.change),
    compactNumber(r.quoteVolumePerDay),
    String(r.candles),
  ]);
  const table = [TABLE_HEADER, ...body];
  const widths = TABLE_HEADER.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return table.map((r) =>
    r.map((v, c) => RIGHT.has(TABLE_HEADER[c]) ? v.padStart(widths[c]) : v.padEnd(widths[c]))
      .join("  ").trimEnd()
  ).join("\n");
}

/** Quotes a CSV field when it holds a comma, quote or newline. */
function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * The rows as CSV with a header: every column of {@link CSV_COLUMNS} (numbers at full
 * precision, empty when not finite) plus `firstTime` and `lastTime` in ISO-8601 UTC.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("scan.csv", formatCsv(result.rows));
 * ```
 */
export function formatCsv(rows: readonly ScanRow[]): string {
  const lines = [[...CSV_COLUMNS, "firstTime", "lastTime"].join(",")];
  for (const r of rows) {
    const cells = CSV_COLUMNS.map((c) => {
      const v = r[c];
      return typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : csvField(String(v));
    });
    lines.push([...cells, isoUtc(r.first), isoUtc(r.last)].join(","));
  }
  return lines.join("\n") + "\n";
}

/** One line per skipped series ("ETH/USDT 4h [candles]: reason"), at most `limit` of them. */
export function formatSkipped(skipped: readonly SkippedSeries[], limit = 20): string[] {
  const lines = skipped.slice(0, limit).map((s) =>
    `${s.symbol}${s.timeframe ? " " + s.timeframe : ""} [${s.stage}]: ${s.reason}`
  );
  if (skipped.length > limit) lines.push(`... and ${skipped.length - limit} more`);
  return lines;
}
