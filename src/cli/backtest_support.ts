// Helpers of the backtest CLI: --params, finding the stored series, a time range, what to save.

import {
  allocColumns,
  CANDLE_FIELDS,
  type CandleColumns,
  type SeriesKey,
} from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type { CandleStore } from "../store/candle_store.ts";

/** Parses "k=v,k2=v2" into an object; numbers and true/false become numbers and booleans. */
export function parseKeyValues(text: string, flag = "--params"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new ConfigError(`${flag} "${part}" is not key=value (for example fast_period=10).`);
    }
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    out[k] = v === "true"
      ? true
      : v === "false"
      ? false
      : v !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : v;
  }
  return out;
}

/** Finds the stored series for a symbol and timeframe; the exchange may be left out when unique. */
export async function resolveSeries(
  store: CandleStore,
  want: { exchange?: string; symbol: string; timeframe: string },
): Promise<SeriesKey> {
  // the series with candles of this symbol and timeframe (not store.list(): its counts and
  // bounds aggregate every stored candle)
  const rows = await store.db.all(
    `SELECT exchange, symbol, timeframe FROM series s
     WHERE symbol = ? AND timeframe = ? AND EXISTS (SELECT 1 FROM candles c WHERE c.series_id = s.id)
     ORDER BY exchange`,
    [want.symbol, want.timeframe],
  );
  const matches: SeriesKey[] = rows
    .map((r) => ({
      exchange: String(r.exchange),
      symbol: String(r.symbol),
      timeframe: String(r.timeframe),
    }))
    .filter((s) => want.exchange === undefined || s.exchange === want.exchange.toLowerCase());
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    const what = `${want.exchange ? want.exchange + " " : ""}${want.symbol} ${want.timeframe}`;
    throw new ConfigError(
      `No stored candles for ${what}. Download, import or synthesise them first ` +
        `(deno task data --help), or pass --csv FILE; "deno task data list" shows what is stored.`,
    );
  }
  throw new ConfigError(
    `${want.symbol} ${want.timeframe} is stored for several exchanges (${
      matches.map((m) => m.exchange).join(", ")
    }): pass --exchange.`,
  );
}

/**
 * The candles whose open time is in [`from`, `to`), in their order: `cols` itself when all are
 * (no copy of a year of candles to keep every one).
 */
export function inRange(cols: CandleColumns, range: { from?: number; to?: number }): CandleColumns {
  const lo = range.from ?? -Infinity, hi = range.to ?? Infinity;
  const ts = cols.ts;
  let n = 0;
  for (let i = 0; i < ts.length; i++) if (ts[i] >= lo && ts[i] < hi) n++;
  if (n === ts.length) return cols;
  const out = allocColumns(n);
  for (const f of CANDLE_FIELDS) {
    const from = cols[f], to = out[f];
    let j = 0;
    for (let i = 0; i < ts.length; i++) if (ts[i] >= lo && ts[i] < hi) to[j++] = from[i];
  }
  return out;
}

export { toRunToSave } from "../backtest/stored_run.ts";
