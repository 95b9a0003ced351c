// A MarketFeed that replays stored candles, then synthetic ones, on a fast-forwarded clock (demos, tests).

import { type Candle, candleAt, type CandleColumns, type SeriesKey } from "../core/candles.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import { synthCandles } from "../data/synth.ts";
import type { Clock } from "../core/ports.ts";
import type { CandleRepository } from "../core/ports.ts";
import type { ClosedCandle, FeedHealth, MarketFeed, Subscription } from "../core/feed.ts";

/** Options for {@link ReplayFeed}. */
export interface ReplayFeedOptions {
  /** Where candles are read from first and every delivered candle is written. */
  store: CandleRepository;
  /** Replay time at start (UTC ms). */
  startTs: number;
  /** Replay seconds per wall second [60]: at 60 a 1m candle closes every second. */
  speed?: number;
  /** Wall clock (ms) [performance-free Date.now]. */
  wallNow?: () => number;
}

interface Series {
  key: SeriesKey;
  tfMs: number;
  /** Open time of the latest candle made or read (-Infinity: none yet). */
  lastTs: number;
  lastClose: number;
  /** Candles ready to deliver (from the store or made), oldest first. */
  buffer: Candle[];
  listeners: Set<Listener>;
}

interface Listener {
  afterTs: number;
  onCandle: (c: ClosedCandle) => void | Promise<void>;
}

/** Typical prices so synthetic markets look like their symbols. */
const START_PRICE: Record<string, number> = { BTC: 60_000, ETH: 3_000, SOL: 150, XRP: 0.6 };

/**
 * Replays market data through the same path as the live feed: every closed candle is written to
 * the store and then delivered, in order, once. Candles come from the store when it has them for
 * the series and time; past the stored ones, a seeded synthetic market continues from the last
 * close. Time runs `speed` times faster than the wall clock from `startTs`; `clock` is that time,
 * for the bots of a replaying service.
 */
export class ReplayFeed implements MarketFeed {
  readonly clock: Clock;
  readonly #series = new Map<string, Series>();
  readonly #store: CandleRepository;
  readonly #speed: number;
  readonly #wall: () => number;
  readonly #wall0: number;
  readonly #start: number;
  #timer?: ReturnType<typeof setTimeout>;
  #closed = false;
  #pumping: Promise<void> = Promise.resolve();

  constructor(options: ReplayFeedOptions) {
    this.#store = options.store;
    this.#speed = options.speed ?? 60;
    this.#wall = options.wallNow ?? Date.now;
    this.#wall0 = this.#wall();
    this.#start = options.startTs;
    this.clock = { now: () => this.#start + (this.#wall() - this.#wall0) * this.#speed };
  }

  subscribe(
    key: SeriesKey,
    afterTs: number,
    onCandle: (c: ClosedCandle) => void | Promise<void>,
  ): Subscription {
    const id = `${key.exchange}|${key.symbol}|${key.timeframe}`;
    let s = this.#series.get(id);
    if (!s) {
      s = {
        key,
        tfMs: timeframeMs(key.timeframe),
        lastTs: -Infinity,
        lastClose: NaN,
        buffer: [],
        listeners: new Set(),
      };
      this.#series.set(id, s);
    }
    const l: Listener = { afterTs, onCandle };
    s.listeners.add(l);
    this.#kick(0);
    return { unsubscribe: () => void s!.listeners.delete(l) };
  }

  health(): FeedHealth[] {
    const byExchange = new Map<string, number>();
    for (const s of this.#series.values()) {
      byExchange.set(s.key.exchange, (byExchange.get(s.key.exchange) ?? 0) + 1);
    }
    return [...byExchange].map(([exchange, series]) => ({
      exchange,
      reachable: true,
      series,
      lastMessageAt: this.#wall(),
      reconnects: 0,
    }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#pumping;
  }

  #kick(delayMs: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#pumping = this.#pumping.then(() => this.#pump()).catch((err) =>
        console.error(JSON.stringify({ level: "error", msg: "replay feed", error: String(err) }))
      );
    }, Math.max(0, delayMs));
  }

  /** Delivers every candle closed by now to every listener, then sleeps until the next close. */
  async #pump(): Promise<void> {
    const now = this.clock.now();
    let nextClose = Infinity;
    for (const s of this.#series.values()) {
      if (s.listeners.size === 0) continue;
      const from = Math.min(...[...s.listeners].map((l) => l.afterTs));
      const lastClosed = floorToTimeframe(now, s.key.timeframe) - s.tfMs;
      await this.#fill(s, from, lastClosed);
      const bufferStart = s.buffer.length ? s.buffer[0].ts : s.lastTs + s.tfMs;
      for (const l of s.listeners) {
        // A listener that joined a running series catches up from the store first.
        if (l.afterTs >= bufferStart - s.tfMs) continue;
        const behind = await this.#store.read(s.key, { from: l.afterTs + 1, to: bufferStart });
        for (let i = 0; i < behind.ts.length; i++) {
          l.afterTs = behind.ts[i];
          await l.onCandle({
            key: s.key,
            candle: candleAt(behind, i),
            source: "backfill",
            receivedAt: this.#wall(),
          });
        }
      }
      for (const c of s.buffer) {
        for (const l of s.listeners) {
          if (c.ts > l.afterTs) {
            l.afterTs = c.ts;
            await l.onCandle({
              key: s.key,
              candle: c,
              source: "replay",
              receivedAt: this.#wall(),
            });
          }
        }
      }
      s.buffer = [];
      nextClose = Math.min(nextClose, lastClosed + 2 * s.tfMs);
    }
    if (this.#closed || nextClose === Infinity) return;
    this.#kick((nextClose - this.clock.now()) / this.#speed);
  }

  /** Buffers (and stores) the candles of `s` with from < ts <= lastClosed. */
  async #fill(s: Series, from: number, lastClosed: number): Promise<void> {
    if (s.lastTs === -Infinity) {
      const stored = await this.#store.read(s.key, { from: from + 1, to: lastClosed + 1 });
      push(s, stored);
      if (s.lastTs === -Infinity) {
        // Nothing stored after `from`: continue from the last stored candle before it, if any.
        const before = await this.#store.read(s.key, { to: from + 1 });
        const n = before.ts.length;
        s.lastTs = n ? before.ts[n - 1] : floorToTimeframe(from, s.key.timeframe);
        s.lastClose = n ? before.close[n - 1] : START_PRICE[s.key.symbol.split("/")[0]] ?? 100;
      }
    }
    while (s.lastTs < lastClosed) {
      const bars = Math.min(2000, Math.round((lastClosed - s.lastTs) / s.tfMs));
      const made = synthCandles({
        bars,
        seed: `replay:${s.key.exchange}:${s.key.symbol}:${s.key.timeframe}:${s.lastTs}`,
        timeframe: s.key.timeframe,
        start: s.lastTs + s.tfMs,
        startPrice: s.lastClose,
        tick: s.lastClose < 10 ? 0.0001 : 0.01,
      });
      await this.#store.upsert(s.key, made);
      push(s, made);
    }
  }
}

function push(s: Series, cols: CandleColumns): void {
  for (let i = 0; i < cols.ts.length; i++) {
    if (!(cols.ts[i] > s.lastTs)) continue;
    s.buffer.push(candleAt(cols, i));
    s.lastTs = cols.ts[i];
    s.lastClose = cols.close[i];
  }
}
