// Downloads candles into the store with our own `since` loop: resumable, rate-limited, retried.

import type { Exchange, OHLCV } from "ccxt";
import { allocColumns, type CandleColumns, isoUtc } from "../core/candles.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import type { CandleRepository } from "../core/ports.ts";
import { exchangeInfo } from "./exchanges.ts";
import { exchangeFailure, type RetryOptions, withRetry } from "./retry.ts";
import { checkTimeframe, resolveSymbol } from "./symbols.ts";

/** A hole in the exchange's own data: candles [from, to) were never served. */
export interface DataGap {
  from: number;
  to: number;
  missing: number;
}

/** Progress of a download, reported after every page. */
export interface DownloadProgress {
  /** Candle slots covered so far (fetched or found missing). */
  covered: number;
  /** Candle slots to cover in all. */
  total: number;
  /** Candles received so far. */
  fetched: number;
  /** Open time the download has reached. */
  cursor: number;
}

/** Options for {@link downloadCandles}. */
export interface DownloadOptions {
  /** Exchange name as in `--exchange` (okx, binanceusdm, bybit, coinbase). */
  exchange: string;
  /** Symbol in ccxt's or the exchange's spelling. */
  symbol: string;
  timeframe: string;
  /** First open time wanted (UTC ms). */
  since: number;
  /** End (exclusive, UTC ms); default: now. Only closed candles are ever stored. */
  until?: number;
  /** The current time in ms (default `Date.now()`), used to tell closed candles from open ones. */
  now?: number;
  /** Candles per request (default: the exchange's maximum for its history endpoint). */
  pageSize?: number;
  /** Candles buffered before a write to the store (default 10000). */
  flushEvery?: number;
  retry?: RetryOptions;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** What a download did. */
export interface DownloadResult {
  exchange: string;
  symbol: string;
  timeframe: string;
  /** Candles received and written. */
  fetched: number;
  requests: number;
  /** Open time the download started from after resuming (undefined: nothing to do). */
  startedAt?: number;
  /** Open times of the first and last candle now stored. */
  first?: number;
  last?: number;
  /** Holes in the exchange's data between candles it served; reported, never filled in. */
  gaps: DataGap[];
}

/**
 * Downloads candles for one series into the store. Resumes after the newest stored candle (and
 * fills in before the oldest when `since` is earlier); pages with `fetchOHLCV(since, limit)`;
 * retries network errors and HTTP 429 with backoff; writes what it has before any error escapes.
 *
 * @example
 * ```ts
 * await downloadCandles(exchange, store, { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m",
 *   since: Date.parse("2024-01-01") });
 * ```
 */
export async function downloadCandles(
  ex: Exchange,
  store: CandleRepository,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const info = exchangeInfo(options.exchange);
  const tf = timeframeMs(options.timeframe);
  const retry = { ...options.retry, signal: options.signal };
  let requests = 0;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(() => (requests++, fn()), retry);
    } catch (err) {
      throw exchangeFailure(err, info.label, retry.attempts ?? 8);
    }
  };
  await call(() => ex.loadMarkets());
  const symbol = resolveSymbol(ex, options.symbol);
  checkTimeframe(ex, options.timeframe);
  const key = { exchange: info.ccxtId, symbol, timeframe: options.timeframe };

  const now = options.now ?? Date.now();
  const floor = floorToTimeframe(options.since, options.timeframe);
  const start = floor === options.since ? floor : floor + tf;
  const end = Math.min(options.until ?? Infinity, floorToTimeframe(now, options.timeframe));
  const stored = await store.bounds(key);
  const segments: [number, number][] = [];
  if (!stored) segments.push([start, end]);
  else {
    if (start < stored.first) segments.push([start, Math.min(stored.first, end)]);
    segments.push([Math.max(start, stored.last + tf), end]);
  }
  const todo = segments.filter(([a, b]) => b > a);
  const total = todo.reduce((s, [a, b]) => s + Math.ceil((b - a) / tf), 0);
  const limit = options.pageSize ?? info.maxCandlesPerCall;
  const flushEvery = options.flushEvery ?? 10_000;

  const gaps: DataGap[] = [];
  let fetched = 0;
  let coveredBefore = 0;
  let buffer: OHLCV[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    await store.upsert(key, ohlcvToColumns(rows));
  };

  try {
    for (const [segStart, segEnd] of todo) {
      let cursor = segStart;
      // After the newest stored candle, a missing stretch is a gap too.
      let prev = stored && segStart === stored.last + tf ? stored.last : undefined;
      while (cursor < segEnd) {
        options.signal?.throwIfAborted();
        const page = await call(() => ex.fetchOHLCV(symbol, options.timeframe, cursor, limit));
        const rows = page.filter((r) => Number(r[0]) >= cursor && Number(r[0]) < segEnd);
        if (rows.length === 0) {
          // Nothing in this window: a hole in the exchange's data, or no data yet. Step past it.
          cursor += limit * tf;
        } else {
          for (const r of rows) {
            const ts = Number(r[0]);
            if (prev !== undefined && ts > prev + tf) {
              gaps.push({ from: prev + tf, to: ts, missing: (ts - prev) / tf - 1 });
            }
            prev = ts;
          }
          buffer.push(...rows);
          fetched += rows.length;
          cursor = prev! + tf;
          if (buffer.length >= flushEvery) await flush();
        }
        const covered = coveredBefore + Math.ceil((Math.min(cursor, segEnd) - segStart) / tf);
        options.onProgress?.({ covered, total, fetched, cursor: Math.min(cursor, segEnd) });
      }
      coveredBefore += Math.ceil((segEnd - segStart) / tf);
    }
  } finally {
    await flush();
  }
  const after = await store.bounds(key);
  return {
    exchange: key.exchange,
    symbol,
    timeframe: options.timeframe,
    fetched,
    requests,
    startedAt: todo[0]?.[0],
    first: after?.first,
    last: after?.last,
    gaps,
  };
}

/** Converts ccxt OHLCV rows to columns (missing volume becomes 0). */
export function ohlcvToColumns(rows: readonly OHLCV[]): CandleColumns {
  const cols = allocColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    cols.ts[i] = Number(r[0]);
    cols.open[i] = Number(r[1]);
    cols.high[i] = Number(r[2]);
    cols.low[i] = Number(r[3]);
    cols.close[i] = Number(r[4]);
    cols.volume[i] = Number(r[5] ?? 0);
  }
  return cols;
}

/** One line describing a gap, for people. */
export function describeGap(g: DataGap): string {
  return `${isoUtc(g.from)} .. ${isoUtc(g.to)} (${g.missing} candle${
    g.missing === 1 ? "" : "s"
  } missing)`;
}
