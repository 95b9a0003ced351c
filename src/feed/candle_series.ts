// One live series of the feed: a shared websocket stream, REST back-fill, closed candles delivered once.

import { type Candle, type SeriesKey, toColumns, toRows } from "../core/candles.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import type { CandleRepository } from "../core/ports.ts";
import { downloadCandles } from "../exchange/download.ts";
import type { ExchangeLink } from "./exchange_link.ts";
import type { CandleSource, ClosedCandle } from "../core/feed.ts";
import { StreamCandles } from "./stream_candles.ts";
import { type Backoff, backoffDelay, streamLoop } from "./stream_loop.ts";

/** What every series of a feed shares. */
export interface SeriesSettings {
  store: CandleRepository;
  now: () => number;
  /** Wall clock for `receivedAt` (latency figures), whatever `now` is. */
  wallNow: () => number;
  graceMs: number;
  backoff: Backoff;
  maxBackfillCandles: number;
  clockCheckMs: number;
  onError: (err: unknown, context: string) => void;
}

/** A listener of a series. */
export interface SeriesListener {
  /** Open time of the last candle it received. */
  afterTs: number;
  onCandle: (c: ClosedCandle) => void | Promise<void>;
  /** False until the candles between `afterTs` and the series' position reached it. */
  synced: boolean;
}

/**
 * One (exchange, symbol, timeframe) series: one upstream `watchOHLCVForSymbols` shared by every
 * listener. A streamed candle is closed once a later one appears; a series with no later candle
 * `graceMs` after the close time is completed over REST, as is every gap (before the first
 * update, after a reconnect). All work runs in one queue, so deliveries are in time order; each
 * candle is upserted into the store before any listener sees it.
 */
export class CandleSeries {
  readonly listeners = new Set<SeriesListener>();
  readonly #tf: number;
  /** Open time of the next candle not yet delivered (nor known to be missing). */
  #doneUntil: number;
  /** What the websocket showed: the open candle, closed ones waiting for delivery. */
  readonly #ws: StreamCandles;
  #queue: Promise<void> = Promise.resolve();
  readonly #stop = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When (by `now()`) to look over REST for candles the stream did not close. */
  #nextCheckAt: number;
  #quietChecks = 0;
  #restFailures = 0;
  /** An update arrived since the last subscribe: the upstream subscription is live. */
  #live = false;
  /** Upper end of the last range REST was asked for. */
  #askedUntil = -Infinity;

  constructor(
    readonly key: SeriesKey,
    private readonly link: ExchangeLink,
    private readonly s: SeriesSettings,
    afterTs: number,
  ) {
    this.#tf = timeframeMs(key.timeframe);
    this.#ws = new StreamCandles(key, this.#tf);
    this.#doneUntil = this.#firstSlot(afterTs);
    this.#nextCheckAt = this.#doneUntil + this.#tf + s.graceMs;
  }

  /** Starts following: over the websocket when `stream`, else over REST alone. */
  start(stream: boolean): void {
    if (this.#stop.signal.aborted) return;
    if (!stream) return this.#enqueue(() => this.#sync("time"));
    const ex = this.link.ex;
    const pair = [[this.key.symbol, this.key.timeframe]];
    this.#loop = streamLoop({
      watch: () =>
        ex.markets
          ? ex.watchOHLCVForSymbols(pair)
          : this.link.markets().then(() => ex.watchOHLCVForSymbols(pair)),
      // A back-fill at subscribe time and after every reconnect.
      onSubscribe: () => this.#enqueue(() => this.#sync("time")),
      onData: (res) => {
        this.#live = true;
        this.link.message();
        const rows = this.#ws.fresh(ex, res);
        this.#enqueue(() => this.#onRows(rows));
      },
      onError: (err) => {
        this.#live = false;
        this.link.streamFailed(err);
        this.s.onError(err, `${this.#label()} websocket`);
        // Updates were missed: the open candle's last values may not be its final ones.
        this.#enqueue(() => void (this.#ws.open = undefined));
      },
      backoff: this.s.backoff,
      signal: this.#stop.signal,
    });
  }

  /** Adds a listener; one behind the series' position is caught up over REST first. */
  add(afterTs: number, onCandle: SeriesListener["onCandle"]): SeriesListener {
    const l: SeriesListener = { afterTs, onCandle, synced: afterTs >= this.#doneUntil - this.#tf };
    this.listeners.add(l);
    if (!l.synced) this.#enqueue(() => this.#sync("stream"));
    return l;
  }

  /** Stops the stream and timers; with `unsubscribe`, ends the upstream subscription too. */
  async stop(unsubscribe: boolean): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#timer);
    await this.#loop;
    await this.#queue;
    clearTimeout(this.#timer);
    if (!unsubscribe || !this.#live || this.link.closing) return;
    await this.link.unsubscribe(() =>
      this.link.ex.unWatchOHLCVForSymbols([[this.key.symbol, this.key.timeframe]])
    );
  }

  // ---------------------------------------------------------------- the queue

  #enqueue(task: () => Promise<void> | void): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#stop.signal.aborted) return;
      try {
        await task();
      } catch (err) {
        if (!this.#stop.signal.aborted) this.s.onError(err, this.#label());
      }
      this.#schedule();
    });
  }

  /** Arms the quiet-market timer; it re-reads `now()` at least every `clockCheckMs`. */
  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#stop.signal.aborted) return;
    const wait = Math.min(Math.max(0, this.#nextCheckAt - this.s.now()), this.s.clockCheckMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.s.now() >= this.#nextCheckAt) this.#enqueue(() => this.#sync("time"));
      else this.#schedule();
    }, wait);
  }

  // ---------------------------------------------------------------- candles

  /** Takes streamed rows, then delivers what they closed. */
  async #onRows(rows: Candle[]): Promise<void> {
    this.#ws.take(rows, this.#doneUntil);
    await this.#sync("stream");
  }

  /**
   * Delivers what is known closed: streamed candles that continue the series, and over REST
   * whatever lies between. "stream" trusts only the stream's evidence; "time" also takes every
   * candle closed more than `graceMs` ago, and reschedules itself while the exchange has none.
   */
  async #sync(mode: "stream" | "time"): Promise<void> {
    const now = this.s.now();
    const tf = this.#tf;
    const before = this.#doneUntil;
    const ws = this.#ws;
    const evidence = ws.evidence();
    const closedUntil = mode === "time"
      ? Math.max(evidence, floorToTimeframe(now - this.s.graceMs, this.key.timeframe))
      : evidence;
    try {
      await this.#catchUp();
      ws.prune(this.#doneUntil);
      while (ws.closed[0]?.ts === this.#doneUntil) {
        await this.#emit(ws.closed.shift()!, "ws", false);
      }
      // The stream asks REST once per new evidence; the timer asks again (a lagging REST).
      const ask = mode === "time" || closedUntil > this.#askedUntil;
      if (this.#doneUntil < closedUntil && ask) {
        const lo = Math.max(this.#doneUntil, closedUntil - this.s.maxBackfillCandles * tf);
        const rest = await this.#fetch(lo, closedUntil);
        this.#askedUntil = Math.max(this.#askedUntil, closedUntil);
        const byTs = new Map<number, [Candle, CandleSource, boolean]>();
        for (const c of ws.closed) if (c.ts < closedUntil) byTs.set(c.ts, [c, "ws", false]);
        // The exchange's REST candle is its final word; it replaces a streamed one.
        for (const c of rest) byTs.set(c.ts, [c, "backfill", true]);
        const todo = [...byTs.values()].sort((a, b) => a[0].ts - b[0].ts);
        for (const [c, source, stored] of todo) {
          if (c.ts >= this.#doneUntil) await this.#emit(c, source, stored);
        }
        // A later streamed candle proves the range closed, even where REST has a hole; a hole
        // closed less than `graceMs` ago may be REST lagging, so it is asked again later.
        const settled = floorToTimeframe(now - this.s.graceMs, this.key.timeframe);
        const skipTo = Math.min(evidence, closedUntil, Math.max(settled, this.#doneUntil));
        if (skipTo > this.#doneUntil) this.#doneUntil = skipTo;
        ws.prune(this.#doneUntil);
      }
      this.#restFailures = 0;
    } catch (err) {
      if (this.#stop.signal.aborted) return;
      this.#restFailures++;
      this.link.restFailed(err);
      this.s.onError(err, `${this.#label()} back-fill`);
      this.#nextCheckAt = now + backoffDelay(this.#restFailures, this.s.backoff);
      return;
    }
    if (this.#doneUntil > before) {
      this.#quietChecks = 0;
      this.#nextCheckAt = this.#doneUntil + tf + this.s.graceMs;
    } else if (mode === "time") {
      // Nothing new over REST yet: look again, less and less often (at most once a candle).
      this.#quietChecks++;
      const again = Math.max(this.s.graceMs, 1_000) * 2 ** (this.#quietChecks - 1);
      this.#nextCheckAt = now + Math.min(again, tf);
    }
  }

  /** Delivers the stored candles behind the series' position to listeners that joined late. */
  async #catchUp(): Promise<void> {
    for (const l of this.listeners) {
      if (l.synced) continue;
      const hi = this.#doneUntil;
      const lo = Math.max(this.#firstSlot(l.afterTs), hi - this.s.maxBackfillCandles * this.#tf);
      const rows = await this.#fetch(lo, hi);
      for (const c of rows) {
        if (c.ts <= l.afterTs || !this.listeners.has(l)) continue;
        l.afterTs = c.ts;
        await this.#deliver(l, c, "backfill");
      }
      l.synced = true;
    }
  }

  /** Fetches [lo, hi) over REST into the store (resuming after stored candles) and reads it. */
  async #fetch(lo: number, hi: number): Promise<Candle[]> {
    if (hi <= lo) return [];
    await this.link.markets();
    await downloadCandles(this.link.ex, this.s.store, {
      exchange: this.key.exchange,
      symbol: this.key.symbol,
      timeframe: this.key.timeframe,
      since: lo,
      until: hi,
      now: Math.max(this.s.now(), hi),
      retry: { attempts: 1 },
      signal: this.#stop.signal,
    });
    this.link.restOk();
    return toRows(await this.s.store.read(this.key, { from: lo, to: hi }));
  }

  /** Stores (unless already stored) and hands one closed candle to every synced listener. */
  async #emit(c: Candle, source: CandleSource, stored: boolean): Promise<void> {
    if (!stored) await this.s.store.upsert(this.key, toColumns([c]));
    this.#doneUntil = c.ts + this.#tf;
    for (const l of [...this.listeners]) {
      if (!l.synced || c.ts <= l.afterTs || !this.listeners.has(l)) continue;
      l.afterTs = c.ts;
      await this.#deliver(l, c, source);
    }
  }

  async #deliver(l: SeriesListener, candle: Candle, source: CandleSource): Promise<void> {
    try {
      await l.onCandle({ key: this.key, candle, source, receivedAt: this.s.wallNow() });
    } catch (err) {
      this.s.onError(err, `${this.#label()} listener`);
    }
  }

  /** The first slot after `afterTs`, no further back than `maxBackfillCandles` from now. */
  #firstSlot(afterTs: number): number {
    const tf = this.#tf;
    const oldest = floorToTimeframe(this.s.now(), this.key.timeframe) -
      this.s.maxBackfillCandles * tf;
    if (!Number.isFinite(afterTs)) return oldest;
    return Math.max(oldest, floorToTimeframe(afterTs, this.key.timeframe) + tf);
  }

  #label(): string {
    return `${this.key.exchange} ${this.key.symbol} ${this.key.timeframe}`;
  }
}
