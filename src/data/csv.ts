// Candle CSV: strict parsing with line-numbered errors, and writing in the same format.

import { allocColumns, type CandleColumns } from "../core/candles.ts";
import { InputError } from "../core/errors.ts";

/** The header every candle CSV starts with (and the one we write). */
export const CSV_HEADER = "timestamp,open,high,low,close,volume";

/** Parsed CSV: candles in file order, and the 1-based file line of each. */
export interface ParsedCsv {
  candles: CandleColumns;
  lines: Uint32Array;
}

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses candle CSV text. Timestamps are epoch milliseconds or ISO-8601 (UTC when no offset).
 * Any malformed row throws an InputError naming `source`, the line and the reason.
 *
 * @example
 * ```ts
 * const { candles } = parseCandleCsv(await Deno.readTextFile("btc.csv"), "btc.csv");
 * ```
 */
export function parseCandleCsv(text: string, source: string): ParsedCsv {
  const rows = text.replace(/^\uFEFF/, "").split("\n");
  while (rows.length && rows[rows.length - 1].trim() === "") rows.pop();
  const fail = (line: number, why: string): never => {
    throw new InputError(`${source}:${line}: ${why}. Nothing was imported.`);
  };
  if (rows.length === 0) fail(1, `the file is empty; expected the header "${CSV_HEADER}"`);
  const header = rows[0].trim().toLowerCase().replace(/\s+/g, "");
  if (header !== CSV_HEADER) {
    fail(1, `the header is "${rows[0].trim()}", expected "${CSV_HEADER}"`);
  }
  const out = allocColumns(rows.length - 1);
  const lines = new Uint32Array(rows.length - 1);
  const targets = [out.open, out.high, out.low, out.close, out.volume];
  const names = ["open", "high", "low", "close", "volume"];
  let n = 0;
  for (let r = 1; r < rows.length; r++) {
    const line = r + 1;
    const raw = rows[r].trim();
    if (raw === "") fail(line, "empty line inside the data");
    const f = raw.split(",");
    if (f.length !== 6) fail(line, `expected 6 fields, found ${f.length} in "${clip(raw)}"`);
    out.ts[n] = parseTimestamp(f[0].trim(), (why) => fail(line, why));
    for (let k = 0; k < 5; k++) {
      const s = f[k + 1].trim();
      const v = s === "" ? NaN : Number(s);
      if (!Number.isFinite(v)) fail(line, `${names[k]} "${clip(s)}" is not a finite number`);
      targets[k][n] = v;
    }
    lines[n] = line;
    n++;
  }
  return { candles: out, lines };
}

function parseTimestamp(s: string, fail: (why: string) => never): number {
  if (/^-?\d+$/.test(s)) {
    const ms = Number(s);
    if (ms < 1e11) {
      fail(`timestamp "${s}" looks like seconds; use milliseconds (x1000) or ISO-8601`);
    }
    return ms;
  }
  if (!ISO.test(s)) fail(`timestamp "${clip(s)}" is neither epoch milliseconds nor ISO-8601`);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) && s.length > 10;
  const ms = Date.parse(hasZone ? s : (s.length === 10 ? s + "T00:00:00Z" : s + "Z"));
  if (!Number.isFinite(ms)) fail(`timestamp "${clip(s)}" is not a valid date`);
  return ms;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
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
