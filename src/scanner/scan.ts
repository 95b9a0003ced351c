// scan(): symbols from the exchange (or the store), candles from the store, fetched when missing.

import type { Exchange } from "ccxt";
import { type CandleColumns, isoUtc, type SeriesKey } from "../core/candles.ts";
import { ConfigError, ExchangeTemporaryError } from "../core/errors.ts";
import { fmtNum } from "../core/format.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import { createExchange } from "../exchange/ccxt_client.ts";
import { downloadCandles } from "../exchange/download.ts";
import { exchangeInfo } from "../exchange/exchanges.ts";
import { exchangeFailure, type RetryOptions, withRetry } from "../exchange/retry.ts";
import type { CandleStore } from "../store/candle_store.ts";
import { rvTimeframeFor } from "./metrics.ts";
import {
  DEFAULT_WINDOW,
  type RankOptions,
  type RankResult,
  rankSymbols,
  type ScanInput,
  type SkippedSeries,
} from "./rank.ts";
import { readWindows } from "./store_windows.ts";
import {
  fetchQuoteVolumes,
  isSupported,
  keepSymbol,
  type MarketType,
  resolveAll,
  selectMarkets,
} from "./universe.ts";

/** Progress of a scan, reported after each series. */
export interface ScanProgress {
  /** Series handled so far, and in all (symbols × timeframes). */
  done: number;
  total: number;
  symbol: string;
  timeframe: string;
  /** Candles downloaded so far in this scan. */
  fetched: number;
}

/** Options for {@link scan}; the ranking options ({@link RankOptions}) apply as well. */
export interface ScanOptions extends RankOptions {
  /** Exchange name (okx, binanceusdm, ...) or a ccxt client from `createExchange`. */
  exchange: string | Exchange;
  /** Where candles are read from and cached. */
  store: CandleStore;
  /** Timeframes to rank, each on its own ("1h", "4h"). */
  timeframes: readonly string[];
  /** Quote currency (default "USDT"; "" for any, though quote volumes then mix currencies). */
  quote?: string;
  /** Market types (default: the exchange's usual one, spot on OKX, swap on Binance USDT-M). */
  types?: MarketType[];
  /**
   * Scan exactly these symbols instead of the exchange's markets (quote and type filters then
   * apply only when given). Cached-only, use ccxt's spelling ("BTC/USDT", "BTC/USDT:USDT").
   */
  symbols?: readonly string[];
  /** Download missing candles (default true); false is the cached-only, no-network mode. */
  fetchMissing?: boolean;
  /** Also download the lower-timeframe candles for realised volatility (default false). */
  fetchLower?: boolean;
  /** Lower timeframe per timeframe for realised volatility (null: none); default rvTimeframeFor. */
  rvTimeframes?: Record<string, string | null>;
  /**
   * The current time (UTC ms): windows end at the last candle closed by then. Default when
   * fetching: the exchange's clock (`fetchTime`); cached-only: each series' newest stored candle.
   */
  now?: number;
  /** Retries of exchange calls (default: 8 attempts, 1 s doubling). */
  retry?: RetryOptions;
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
}

/** What {@link scan} gives: ranked rows and the series it skipped, with reasons. */
export interface ScanResult extends RankResult {
  /** ccxt id of the exchange, as candles are stored under. */
  exchange: string;
  /** The `now` windows ended at (undefined cached-only without `now`). */
  asOf?: number;
  /** Symbols considered after market filters. */
  symbols: string[];
}

/** Temporary exchange failures in a row after which a scan stops fetching (cached-only). */
const MAX_FAILURES_IN_A_ROW = 3;

/**
 * Ranks an exchange's symbols by volatility and appeal. Symbols come from the exchange's
 * markets (active, quote, type, exclusions; with `minQuoteVolume`, a 24 h ticker pre-filter
 * saves downloads), or cached-only from the store's series. Candles are read from the store;
 * missing ones are downloaded first through the download module (rate-limited, retried).
 * A failing symbol is recorded in `skipped` with the reason and the scan goes on.
 *
 * @example
 * ```ts
 * const { rows, skipped } = await scan({
 *   exchange: "okx", quote: "USDT", timeframes: ["1h", "4h"], top: 20, store,
 *   now: Date.now(),
 * });
 * console.log(rows[0].symbol, rows[0].score, rows[0].yangZhang);
 * ```
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const { store, signal } = options;
  const name = typeof options.exchange === "string" ? options.exchange : options.exchange.id;
  let fetching = options.fetchMissing ?? true;
  // Cached-only, any name the store knows works (e.g. "synthetic" from `deno task data synth`).
  const info = fetching || isSupported(name) ? exchangeInfo(name) : undefined;
  const exId = info?.ccxtId ?? name;
  const label = info?.label ?? name;
  const window = options.window ?? DEFAULT_WINDOW;
  const timeframes = [...new Set(options.timeframes)];
  if (timeframes.length === 0) throw new ConfigError("Give at least one timeframe to scan.");
  for (const tf of timeframes) timeframeMs(tf);
  const explicit = options.symbols !== undefined;
  const filter = {
    quote: options.quote ?? (explicit ? undefined : "USDT"),
    types: options.types ?? (explicit || !info ? undefined : [info.defaultType]),
    exclude: options.exclude,
  };
  const skipped: SkippedSeries[] = [];
  let stopNote = "";
  let fetched = 0;
  let failuresInARow = 0;

  const ex = fetching
    ? (typeof options.exchange === "string" ? createExchange(options.exchange) : options.exchange)
    : undefined;
  const retry = { ...options.retry, signal };
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(fn, retry);
    } catch (err) {
      throw exchangeFailure(err, label, retry.attempts ?? 8);
    }
  };

  // ---- universe
  let symbols: string[];
  let now = options.now;
  if (ex) {
    await call(() => ex.loadMarkets());
    if (explicit) {
      const resolved = resolveAll(ex, options.symbols!);
      symbols = resolved.symbols;
      for (const u of resolved.unknown) skipped.push({ ...u, stage: "market" });
    } else symbols = selectMarkets(ex, filter);
    now ??= await call(() => ex.fetchTime()) ?? undefined;
    if (now === undefined) {
      throw new ConfigError(`${label} did not tell its time: pass \`now\` (epoch ms) to scan.`);
    }
    const minQuote = options.minQuoteVolume ?? 0;
    if (minQuote > 0 && !explicit) {
      const volumes = await fetchQuoteVolumes(ex, filter.types ?? ["spot", "swap"], call, signal);
      symbols = symbols.filter((symbol) => {
        const v = volumes.get(symbol);
        if (v === undefined || !(v < minQuote)) return true;
        const reason = `24 h quote volume ${fmtNum(v, 4)} (ticker) is below the minimum ${
          fmtNum(minQuote, 4)
        }`;
        skipped.push({ symbol, stage: "filter", reason });
        return false;
      });
    }
  } else {
    const wanted = explicit
      ? new Set(options.symbols!.map((s) => s.replace("-", "/").toUpperCase()))
      : undefined;
    const names = new Set<string>();
    for (const s of await store.list()) {
      if (s.exchange !== exId || !timeframes.includes(s.timeframe)) continue;
      if (wanted ? wanted.has(s.symbol) : keepSymbol(s.symbol, filter)) names.add(s.symbol);
    }
    symbols = [...names].sort();
  }

  // ---- candles: download what is missing (one series at a time: ccxt paces the requests)
  const failed = new Set<string>();
  const download = async (key: SeriesKey, since: number, until: number): Promise<void> => {
    const b = await store.bounds(key);
    const tf = timeframeMs(key.timeframe);
    // A recent listing never has `since` stored: it costs a few empty pages per scan.
    if (b && b.first <= since && b.last >= until - tf) return;
    try {
      const res = await downloadCandles(ex!, store, {
        exchange: exId,
        symbol: key.symbol,
        timeframe: key.timeframe,
        since,
        until,
        now,
        retry: options.retry,
        signal,
      });
      fetched += res.fetched;
      failuresInARow = 0;
    } catch (err) {
      // The exchange answered (bad symbol, refusal): it is reachable, so the count starts over.
      if (!(err instanceof ExchangeTemporaryError)) failuresInARow = 0;
      else if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        fetching = false;
        stopNote = ` (fetching stopped after ${MAX_FAILURES_IN_A_ROW} failures in a row: ${
          err.message.slice(0, 160)
        })`;
      }
      throw err;
    }
  };
  const lowerOf = (tf: string) =>
    options.rvTimeframes && tf in options.rvTimeframes
      ? options.rvTimeframes[tf] ?? undefined
      : rvTimeframeFor(tf);
  const range = (tf: string) => {
    const end = floorToTimeframe(now!, tf);
    return { from: end - window * timeframeMs(tf), to: end };
  };

  const total = symbols.length * timeframes.length;
  let done = 0;
  for (const timeframe of timeframes) {
    for (const symbol of symbols) {
      signal?.throwIfAborted();
      if (fetching) {
        const { from, to } = range(timeframe);
        try {
          await download({ exchange: exId, symbol, timeframe }, from, to);
        } catch (err) {
          if (signal?.aborted) throw err;
          failed.add(`${symbol}|${timeframe}`);
          skipped.push({ symbol, timeframe, stage: "candles", reason: (err as Error).message });
        }
        const low = lowerOf(timeframe);
        if (fetching && options.fetchLower && low && !failed.has(`${symbol}|${timeframe}`)) {
          try {
            await download({ exchange: exId, symbol, timeframe: low }, from, to);
          } catch (err) {
            if (signal?.aborted) throw err; // realised volatility is optional: rank without it
          }
        }
      }
      options.onProgress?.({ done: ++done, total, symbol, timeframe, fetched });
    }
  }

  // ---- read every window of a timeframe in one query, then rank
  const inputs: ScanInput[] = [];
  for (const timeframe of timeframes) {
    const tfMs = timeframeMs(timeframe);
    const query = { exchange: exId, timeframe };
    const windows = await readWindows(
      store,
      now === undefined
        ? { ...query, lastSpanMs: window * tfMs }
        : { ...query, ...range(timeframe) },
    );
    const low = lowerOf(timeframe);
    let lower = new Map<string, CandleColumns>();
    if (low && windows.size) {
      const spans = [...windows.values()];
      const from = Math.min(...spans.map((c) => c.ts[0]));
      const to = Math.max(...spans.map((c) => c.ts[c.ts.length - 1])) + tfMs;
      lower = await readWindows(store, { exchange: exId, timeframe: low, from, to });
    }
    for (const symbol of symbols) {
      if (failed.has(`${symbol}|${timeframe}`)) continue;
      const candles = windows.get(symbol);
      if (!candles) {
        const where = now === undefined
          ? ""
          : ` between ${isoUtc(range(timeframe).from)} and ${isoUtc(range(timeframe).to)}`;
        const hint = options.fetchMissing === false
          ? " (run without --offline to fetch them)"
          : stopNote;
        const reason = `no stored ${timeframe} candles${where}${hint}`;
        skipped.push({ symbol, timeframe, stage: "candles", reason });
        continue;
      }
      const lc = low ? lower.get(symbol) : undefined;
      inputs.push({ symbol, timeframe, candles, lower: lc && { timeframe: low!, candles: lc } });
    }
  }
  const ranked = rankSymbols(inputs, { ...options, ...filter, window });
  return {
    rows: ranked.rows,
    skipped: [...skipped, ...ranked.skipped],
    exchange: exId,
    asOf: now,
    symbols,
  };
}
