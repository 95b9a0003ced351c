// Data helpers for notebooks: synthetic markets, stored candles (or the service's when it holds
// the database), and downloads into a research database.

import type { CandleColumns, SeriesKey } from "../core/candles.ts";
import { StoreLockedError } from "../core/errors.ts";
import { synthCandles, type SynthOptions } from "../data/synth.ts";
import { createExchange } from "../exchange/ccxt_client.ts";
import {
  downloadCandles,
  type DownloadOptions,
  type DownloadResult,
} from "../exchange/download.ts";
import { CandleStore } from "../store/candle_store.ts";
import { Db } from "../store/db.ts";
import { dataDir, dbPath } from "../store/paths.ts";
import { storedApiToken } from "../service/api_token.ts";

/**
 * A seeded synthetic market (trends, chop, bursts, gaps): the same seed, the same candles.
 *
 * @example
 * ```ts
 * const candles = synth({ bars: 525_600, seed: 1 }); // a year of 1-minute candles
 * ```
 */
export function synth(options: SynthOptions): CandleColumns {
  return synthCandles(options);
}

/** Options of {@link loadCandles}. */
export interface LoadOptions extends SeriesKey {
  from?: number;
  to?: number;
  /** Database file [the default data directory's]. */
  db?: string;
  /** The service to ask when another process holds the database [http://127.0.0.1:$TIDEWATCH_PORT]. */
  serviceUrl?: string;
  /**
   * The service's API token, sent when reading through it (needed when the service is bound off
   * loopback). Default: TIDEWATCH_API_TOKEN, else the token file in the data folder, if any.
   */
  token?: string;
}

/**
 * Stored candles of one series. When the service holds the database (DuckDB allows one writer),
 * they are read through its HTTP API instead; if that fails too, the lock error says what to do.
 *
 * @example
 * ```ts
 * const c = await loadCandles({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1h" });
 * ```
 */
export async function loadCandles(options: LoadOptions): Promise<CandleColumns> {
  let db: Db;
  try {
    db = await Db.open(dbPath(options.db));
  } catch (err) {
    if (!(err instanceof StoreLockedError)) throw err;
    const url = options.serviceUrl ??
      `http://127.0.0.1:${Deno.env.get("TIDEWATCH_PORT") ?? "8080"}`;
    try {
      return await fetchFromService(url, options);
    } catch {
      throw err;
    }
  }
  try {
    return await new CandleStore(db).read(options, { from: options.from, to: options.to });
  } finally {
    await db.close();
  }
}

async function fetchFromService(base: string, o: LoadOptions): Promise<CandleColumns> {
  const parts: Record<string, number[]> = {
    ts: [],
    open: [],
    high: [],
    low: [],
    close: [],
    volume: [],
  };
  const token = o.token ?? await storedApiToken({ dataDir: dataDir() });
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  let from = o.from;
  for (;;) {
    const q = new URLSearchParams({
      exchange: o.exchange,
      symbol: o.symbol,
      timeframe: o.timeframe,
      limit: "100000",
    });
    if (from !== undefined) q.set("from", String(from));
    if (o.to !== undefined) q.set("to", String(o.to));
    const res = await fetch(`${base}/api/candles?${q}`, { headers });
    if (!res.ok) throw new Error(`service answered ${res.status}`);
    const page = await res.json();
    for (const k of Object.keys(parts)) parts[k].push(...page[k]);
    if (!page.truncated || page.count === 0) break;
    from = page.ts[page.count - 1] + 1;
  }
  return {
    ts: Float64Array.from(parts.ts),
    open: Float64Array.from(parts.open),
    high: Float64Array.from(parts.high),
    low: Float64Array.from(parts.low),
    close: Float64Array.from(parts.close),
    volume: Float64Array.from(parts.volume),
  };
}

/**
 * Downloads candles from an exchange into a database (resumable; see `deno task data download`).
 *
 * @example
 * ```ts
 * await download({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1h", since: Date.parse("2024-01-01") });
 * ```
 */
export async function download(
  options: Omit<DownloadOptions, "onProgress"> & {
    db?: string;
    onProgress?: DownloadOptions["onProgress"];
  },
): Promise<DownloadResult> {
  const db = await Db.open(dbPath(options.db));
  try {
    return await downloadCandles(createExchange(options.exchange), new CandleStore(db), options);
  } finally {
    await db.close();
  }
}
