// The live MarketFeed: exchange websockets through ccxt pro, REST back-fill, every closed candle stored.

import type { Exchange } from "ccxt";
import type { SeriesKey } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { CandleRepository } from "../core/ports.ts";
import { CandleSeries, type SeriesSettings } from "./candle_series.ts";
import { createExchange } from "../exchange/ccxt_client.ts";
import { ExchangeLink, safeErrorMessage } from "./exchange_link.ts";
import { exchangeInfo } from "../exchange/exchanges.ts";
import type { ClosedCandle, FeedHealth, MarketFeed, Subscription } from "../core/feed.ts";
import { type BackoffOptions, backoffWith } from "./stream_loop.ts";
import { type MarketTicker, TickerStream } from "./ticker_stream.ts";

export type { MarketTicker } from "./ticker_stream.ts";

/** A failure the feed recovered from (it keeps retrying); for logs. */
export interface FeedError {
  /** What failed, e.g. "okx BTC/USDT 1m websocket" or "okx BTC/USDT 1m back-fill". */
  context: string;
  /** Secret-free description. */
  message: string;
  error: unknown;
}

/** Options for {@link CcxtFeed}. */
export interface CcxtFeedOptions {
  /** Every closed candle is upserted here before it is delivered. */
  store: CandleRepository;
  /**
   * Makes the ccxt pro client of an exchange (ccxt id such as "okx"), once per exchange
   * (default: `createExchange(id, { pro: true })`, which honours `TIDEWATCH_<ID>_URL` and
   * `TIDEWATCH_<ID>_WS_URL`).
   */
  exchange?: (id: string) => Exchange;
  /** Clock in epoch ms (default `Date.now`); decides which candles have closed. */
  now?: () => number;
  /**
   * How long after a candle's close time the feed waits for the stream to show a later candle
   * before it asks REST for the closed one (default 5000 ms), so quiet markets still advance.
   */
  graceMs?: number;
  /** Reconnect backoff after websocket errors (default 500 ms doubling to at most 30 s). */
  backoff?: BackoffOptions;
  /** The furthest back a back-fill reaches, in candles before now (default 5000). */
  maxBackfillCandles?: number;
  /** Longest timer wait before `now()` is read again (default 60000 ms; small for fake clocks). */
  clockCheckMs?: number;
  /** Told about every recovered failure (default: one JSON line on stderr). */
  onError?: (e: FeedError) => void;
}

/**
 * Closed candles from the exchanges' websockets. One upstream subscription per series, shared by
 * every listener; a candle is closed when the stream shows a later one, or over REST once
 * `graceMs` passed after its close with no later one streamed. Subscribing back-fills over REST
 * (`fetchOHLCV` paging, as `downloadCandles`) and so does every reconnect, so candles missed
 * while disconnected arrive, in order and once, before new ones. Errors never escape
 * `subscribe`: the feed retries with backoff and `health()` says the exchange is unreachable.
 * Also keeps the latest ticker of watched markets (`watchTicker`, `ticker`).
 *
 * @example
 * ```ts
 * const feed = new CcxtFeed({ store: new CandleStore(db) });
 * const sub = feed.subscribe({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" }, lastTs,
 *   ({ candle }) => console.log(candle.ts, candle.close));
 * // ... later
 * sub.unsubscribe();
 * await feed.close();
 * ```
 */
export class CcxtFeed implements MarketFeed {
  readonly #links = new Map<string, ExchangeLink>();
  readonly #series = new Map<string, CandleSeries>();
  readonly #tickers = new Map<string, TickerStream>();
  /** Stops in progress (unsubscribing upstream), by series or ticker id. */
  readonly #stopping = new Map<string, Promise<void>>();
  readonly #settings: SeriesSettings;
  readonly #makeExchange: (id: string) => Exchange;
  #closed: Promise<void> | undefined;

  constructor(options: CcxtFeedOptions) {
    const report = options.onError ?? logError;
    this.#makeExchange = options.exchange ?? ((id) => createExchange(id, { pro: true }));
    this.#settings = {
      store: options.store,
      now: options.now ?? Date.now,
      wallNow: Date.now,
      graceMs: options.graceMs ?? 5_000,
      backoff: backoffWith(options.backoff),
      maxBackfillCandles: options.maxBackfillCandles ?? 5_000,
      clockCheckMs: options.clockCheckMs ?? 60_000,
      onError: (error, context) => report({ context, message: safeErrorMessage(error), error }),
    };
  }

  /**
   * Delivers every closed candle of `key` after `afterTs`, back-filled first, then live. Throws
   * only for a bad key (unsupported exchange, invalid timeframe) or a closed feed.
   */
  subscribe(
    key: SeriesKey,
    afterTs: number,
    onCandle: (c: ClosedCandle) => void | Promise<void>,
  ): Subscription {
    this.#checkOpen();
    const info = exchangeInfo(key.exchange);
    timeframeMs(key.timeframe);
    const norm: SeriesKey = { exchange: info.ccxtId, symbol: key.symbol, timeframe: key.timeframe };
    const id = `${norm.exchange}|${norm.symbol}|${norm.timeframe}`;
    let series = this.#series.get(id);
    if (!series) {
      const created = new CandleSeries(norm, this.#link(info.ccxtId), this.#settings, afterTs);
      const stream = !info.wsCandleTimeframes || info.wsCandleTimeframes.includes(key.timeframe);
      this.#after(id, () => created.start(stream));
      this.#series.set(id, created);
      series = created;
    }
    const s = series;
    const listener = s.add(afterTs, onCandle);
    let done = false;
    return {
      unsubscribe: () => {
        if (done) return;
        done = true;
        s.listeners.delete(listener);
        if (s.listeners.size > 0 || this.#series.get(id) !== s) return;
        this.#series.delete(id);
        this.#stopLater(id, s.stop(true));
      },
    };
  }

  /**
   * Calls `onTicker` with every ticker update of a market (one upstream subscription per market,
   * shared). Like `subscribe`, it never fails for network reasons.
   */
  watchTicker(
    exchange: string,
    symbol: string,
    onTicker: (t: MarketTicker) => void,
  ): Subscription {
    this.#checkOpen();
    const info = exchangeInfo(exchange);
    const id = `ticker|${info.ccxtId}|${symbol}`;
    let stream = this.#tickers.get(id);
    if (!stream) {
      const created = new TickerStream(symbol, this.#link(info.ccxtId), this.#settings);
      this.#after(id, () => created.start());
      this.#tickers.set(id, created);
      stream = created;
    }
    const s = stream;
    s.listeners.add(onTicker);
    let done = false;
    return {
      unsubscribe: () => {
        if (done) return;
        done = true;
        s.listeners.delete(onTicker);
        if (s.listeners.size > 0 || this.#tickers.get(id) !== s) return;
        this.#tickers.delete(id);
        this.#stopLater(id, s.stop(true));
      },
    };
  }

  /** The latest ticker of a watched market, or undefined (not watched, or none yet). */
  ticker(exchange: string, symbol: string): MarketTicker | undefined {
    return this.#tickers.get(`ticker|${exchangeInfo(exchange).ccxtId}|${symbol}`)?.latest;
  }

  /** One entry per exchange in use: reachable, subscribed series, last error, reconnects. */
  health(): FeedHealth[] {
    const out: FeedHealth[] = [];
    for (const link of this.#links.values()) {
      const series = [...this.#series.values()].filter((s) => s.key.exchange === link.id).length;
      const tickers = [...this.#tickers.keys()].filter((k) => k.startsWith(`ticker|${link.id}|`));
      if (series > 0 || tickers.length > 0) out.push(link.health(series));
    }
    return out;
  }

  /** Stops every stream and timer and closes every websocket; safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    const stops = [
      ...[...this.#series.values()].map((s) => s.stop(false)),
      ...[...this.#tickers.values()].map((t) => t.stop(false)),
    ];
    this.#series.clear();
    this.#tickers.clear();
    await Promise.all(stops);
    for (const link of this.#links.values()) link.closing = true;
    await Promise.all([...this.#links.values()].map((l) => l.close()));
    await Promise.all([...this.#stopping.values()]);
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new ConfigError("The market feed is closed: create a new CcxtFeed to subscribe again.");
    }
  }

  #link(id: string): ExchangeLink {
    let link = this.#links.get(id);
    if (!link) {
      link = new ExchangeLink(id, this.#makeExchange(id), this.#settings.now);
      this.#links.set(id, link);
    }
    return link;
  }

  /** Runs `start` once an earlier stream of the same id has unsubscribed upstream. */
  #after(id: string, start: () => void): void {
    const previous = this.#stopping.get(id);
    if (previous) void previous.then(start);
    else start();
  }

  #stopLater(id: string, stopping: Promise<void>): void {
    const tracked = stopping.catch((err) => this.#settings.onError(err, `${id} stop`)).finally(
      () => {
        if (this.#stopping.get(id) === tracked) this.#stopping.delete(id);
      },
    );
    this.#stopping.set(id, tracked);
  }
}

function logError(e: FeedError): void {
  console.warn(
    JSON.stringify({ level: "warn", msg: "market feed", context: e.context, error: e.message }),
  );
}
