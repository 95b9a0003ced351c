// The market-data port of the service: closed candles of (exchange, symbol, timeframe) series.

import type { Candle, SeriesKey } from "./candles.ts";

/** Where a delivered candle came from. */
export type CandleSource = "ws" | "backfill" | "replay";

/** One closed candle of a series, as the feed delivers it. */
export interface ClosedCandle {
  key: SeriesKey;
  candle: Candle;
  source: CandleSource;
  /** Wall-clock ms when the feed received it (latency figures); never read by the engine. */
  receivedAt: number;
}

/** A listener's handle: stop receiving. */
export interface Subscription {
  unsubscribe(): void;
}

/** Reachability of one exchange as the feed sees it (for /api/status/health). */
export interface FeedHealth {
  exchange: string;
  reachable: boolean;
  /** Subscribed series on this exchange. */
  series: number;
  /** Last error message while unreachable (never contains secrets). */
  error?: string;
  /** Wall-clock ms of the last message from the exchange, or null. */
  lastMessageAt: number | null;
  /** Reconnects since start. */
  reconnects: number;
}

/**
 * Closed candles for any number of listeners. One upstream subscription per series, shared by
 * every listener of that series; closed candles only, in time order, each at most once per
 * listener, gaps after a reconnect back-filled before new ones are delivered.
 */
export interface MarketFeed {
  /**
   * Delivers every closed candle of `key` with `ts > afterTs`, in order, starting with a back-fill
   * of those already closed, then live ones as they close. `key.symbol` is the unified ccxt symbol.
   */
  subscribe(
    key: SeriesKey,
    afterTs: number,
    onCandle: (c: ClosedCandle) => void | Promise<void>,
  ): Subscription;
  health(): FeedHealth[];
  close(): Promise<void>;
}
