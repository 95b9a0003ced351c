// The latest ticker of one market over ccxt's `watchTicker`, shared by every listener of the feed.

import type { Ticker } from "ccxt";
import type { ExchangeLink } from "./exchange_link.ts";
import { type Backoff, streamLoop } from "./stream_loop.ts";

/** A market's latest ticker as the feed hands it out (prices in quote currency). */
export interface MarketTicker {
  exchange: string;
  /** Unified ccxt symbol. */
  symbol: string;
  last: number;
  bid?: number;
  ask?: number;
  /** Rolling 24 h figures, when the venue's ticker carries them. */
  open?: number;
  high?: number;
  low?: number;
  baseVolume?: number;
  quoteVolume?: number;
  /** Exchange time of the ticker in ms, or null when it sends none. */
  timestamp: number | null;
  /** Feed clock (ms) when it arrived. */
  receivedAt: number;
}

/** What a ticker stream needs from its feed. */
export interface TickerSettings {
  now: () => number;
  backoff: Backoff;
  onError: (err: unknown, context: string) => void;
}

/** One upstream ticker subscription; keeps the latest value and tells every listener. */
export class TickerStream {
  readonly listeners = new Set<(t: MarketTicker) => void>();
  latest: MarketTicker | undefined;
  readonly #stop = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #live = false;

  constructor(
    readonly symbol: string,
    private readonly link: ExchangeLink,
    private readonly s: TickerSettings,
  ) {}

  /** Starts watching (retrying with backoff until stopped). */
  start(): void {
    if (this.#stop.signal.aborted) return;
    const ex = this.link.ex;
    this.#loop = streamLoop({
      watch: () =>
        ex.markets
          ? ex.watchTicker(this.symbol)
          : this.link.markets().then(() => ex.watchTicker(this.symbol)),
      onData: (t) => {
        this.#live = true;
        this.link.message();
        // ccxt's cache, not the answer: it also holds an update that came before the re-arm.
        const live = this.#convert((ex.tickers?.[this.symbol] as Ticker | undefined) ?? t);
        if (!live) return;
        this.latest = live;
        for (const l of [...this.listeners]) {
          try {
            l(live);
          } catch (err) {
            this.s.onError(err, `${this.link.id} ${this.symbol} ticker listener`);
          }
        }
      },
      onError: (err) => {
        this.#live = false;
        this.link.streamFailed(err);
        this.s.onError(err, `${this.link.id} ${this.symbol} ticker websocket`);
      },
      backoff: this.s.backoff,
      signal: this.#stop.signal,
    });
  }

  /** Stops; with `unsubscribe`, ends the upstream subscription too. */
  async stop(unsubscribe: boolean): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    if (!unsubscribe || !this.#live || this.link.closing) return;
    await this.link.unsubscribe(() => this.link.ex.unWatchTicker(this.symbol));
  }

  #convert(t: Ticker): MarketTicker | undefined {
    const last = t.last ?? t.close;
    if (last === undefined || last === null) return undefined;
    const opt = (v: number | undefined | null) => (v === undefined || v === null ? undefined : v);
    const out: MarketTicker = {
      exchange: this.link.id,
      symbol: t.symbol ?? this.symbol,
      last,
      timestamp: t.timestamp ?? null,
      receivedAt: this.s.now(),
    };
    const extra = {
      bid: opt(t.bid),
      ask: opt(t.ask),
      open: opt(t.open),
      high: opt(t.high),
      low: opt(t.low),
      baseVolume: opt(t.baseVolume),
      quoteVolume: opt(t.quoteVolume),
    };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(out, { [k]: v });
    return out;
  }
}
