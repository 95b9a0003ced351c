// One bot of the service: a BotRunner on a paper or live account, rebuilt from its records.

import { type Candle, candleAt, type SeriesKey } from "../core/candles.ts";
import { InputError } from "../core/errors.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import type { ExternalSignal, PositionView } from "../core/trading.ts";
import { ConfirmingBroker } from "./confirming_broker.ts";
import { BotRunner } from "../engine/bot_runner.ts";
import { ExternalInput } from "../engine/external_input.ts";
import type { MarketFeed, Subscription } from "../core/feed.ts";
import type { Clock } from "../core/ports.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import type { BotEvent, BotEventKind, BotStore } from "../store/bot_store.ts";
import type { CandleStore } from "../store/candle_store.ts";
import { type BotAccount, buildAccount, manualOutcome, manualRequest } from "./bot_account.ts";
import { settleLive } from "./live_catch_up.ts";
import { applyEvent } from "./bot_events.ts";
import { BotRecorder } from "./bot_records.ts";
import type {
  BotSettings,
  BotSpec,
  BotState,
  ManualOrderRequest,
  ManualOrderResult,
} from "./bot_types.ts";
import { liveStanding } from "./bot_events.ts";
import type { EventBus } from "./event_bus.ts";
import { LatencyWindow } from "./latency.ts";
import type { LiveAccounts } from "./live_accounts.ts";

export type { BotSettings, BotSpec, BotState, ManualOrderRequest, ManualOrderResult };

/** What a bot needs from the service. */
export interface BotDeps {
  def: StrategyDefinition;
  store: BotStore;
  candles: CandleStore;
  feed: MarketFeed;
  bus: EventBus;
  /** The service clock: wall time, or the replay's time. */
  clock: Clock;
  /** Exchange accounts of live bots (absent: the service runs paper bots only). */
  live?: LiveAccounts;
  /** Wall clock for confirmations' times [Date.now] (the supervisor's, which expires them). */
  wallNow?: () => number;
}

/** Candles of history a bot loads before its first decision, besides the strategy's warm-up. */
const EXTRA_HISTORY = 50;

/**
 * A bot. A paper bot's whole state is a function of its candles and its events (start, stop,
 * pause, confirmations...): on launch it replays the stored candles with the stored events
 * applied at the candles they happened after, so a crash loses nothing and sends nothing twice,
 * then it follows the feed. A live bot's orders and positions are at the exchange: on launch it
 * reconciles its journaled orders with the exchange, warms its indicators on the stored candles
 * without deciding, takes its switches (stopped, paused, confirmations) from its events, and
 * trades only on candles that close from then on. Candles and events go through one queue, so
 * they never interleave.
 */
export class Bot {
  state: BotState = "stopped";
  lastError?: string;
  #runner?: BotRunner;
  /** Where this bot's alerts reach its strategy (rebuilt with the runner). */
  #external?: ExternalInput;
  #account?: BotAccount;
  #broker?: ConfirmingBroker;
  #recorder?: BotRecorder;
  #sub?: Subscription;
  #queue: Promise<unknown> = Promise.resolve();
  #trading = false;
  #tradeAfter = -Infinity;
  #lastRecorded = -Infinity;
  #replaying = false;
  #lastCandle?: Candle;
  #candles = 0;
  /** Held entries the engine replaced this candle (their confirmations are void). */
  #superseded: string[] = [];
  /** Seqs of the alerts recorded as this bot's events (loaded at launch, kept since). */
  #alertSeqs = new Set<number>();
  /** Milliseconds from a candle's arrival to its orders reaching the broker (recent candles). */
  readonly latency = new LatencyWindow(1000);
  /** The same, for the candles that sent orders only. */
  readonly orderLatency = new LatencyWindow(1000);
  /** Called when processing a candle throws (the supervisor restarts the bot). */
  onFailure: (err: unknown) => void = () => {};

  constructor(readonly spec: BotSpec, private readonly deps: BotDeps) {}

  get key(): SeriesKey {
    return {
      exchange: this.spec.exchange,
      symbol: this.spec.symbol,
      timeframe: this.spec.timeframe,
    };
  }

  /**
   * Builds the bot from its stored candles and events, takes the service's `settings`, then
   * follows the feed.
   */
  async launch(settings: BotSettings = {}): Promise<void> {
    this.state = "starting";
    const { store } = this.deps;
    let events = await store.events(this.spec.botId);
    if (!events.some((e) => e.kind === "start")) {
      const { lastClosed, historyFrom } = this.#window();
      await store.appendEvent(this.spec.botId, {
        afterTs: null,
        kind: "start",
        payload: { historyFrom, tradeAfter: lastClosed },
        at: this.deps.clock.now(),
      });
      events = await store.events(this.spec.botId);
    }
    const historyFrom = Number(events.find((e) => e.kind === "start")!.payload.historyFrom);
    this.#alertSeqs = new Set(
      events.flatMap((e) => e.kind === "alert" ? [Number(e.payload.seq)] : []),
    );
    this.#build();
    try {
      if (this.#account!.live) await this.#restoreLive(events, historyFrom);
      else await this.#replay(events, historyFrom);
    } catch (err) {
      await this.#releaseLive();
      throw err;
    }
    // Started after a stop: candles up to now only warm up; trading resumes with the next one.
    if (!this.#trading) await this.#record("start", { tradeAfter: this.#window().lastClosed });
    await this.#takeSettings(settings);
    this.state = this.#runner!.paused ? "paused" : "running";
    const after = Math.max(this.#runner!.lastTs, historyFrom - 1);
    // A failure goes to onFailure (the supervisor), never to the feed: a rejected delivery ended
    // the replay feed's pass for every other bot (and it stopped when no other pass was queued).
    this.#sub = this.deps.feed.subscribe(
      this.key,
      after,
      (c) => this.#enqueue(c.candle, c.receivedAt).catch(() => {}),
    );
    this.#announce("bot.status", { state: this.state });
  }

  /** Paper: the stored candles again, with the stored events where they happened. */
  async #replay(events: BotEvent[], historyFrom: number): Promise<void> {
    this.#lastRecorded = await this.deps.store.lastRecorded(this.spec.botId);
    const stored = await this.deps.candles.read(this.key, { from: historyFrom });
    this.#replaying = true;
    let k = 0;
    for (let i = 0; i < stored.ts.length; i++) {
      const ts = stored.ts[i];
      while (k < events.length && (events[k].afterTs ?? -Infinity) < ts) {
        await this.#apply(events[k++]);
      }
      await this.#process(candleAt(stored, i));
    }
    while (k < events.length) await this.#apply(events[k++]);
    this.#replaying = false;
  }

  /** Live: reconcile with the exchange, warm up without deciding, take the switches. */
  async #restoreLive(events: BotEvent[], historyFrom: number): Promise<void> {
    const live = this.#account!.live!;
    const { report, announcements } = await settleLive(this.deps.store, this.spec, {
      live,
      recorder: this.#recorder!,
      broker: this.#broker!,
      now: this.#wallNow(),
    });
    for (const a of announcements) this.#announce(a.type, a.data, a.correlationId);
    // Enough history to warm up; what happened before is at the exchange, not replayed.
    const window = this.#window();
    const lastClosed = window.lastClosed;
    const from = Math.max(historyFrom, window.historyFrom);
    const stored = await this.deps.candles.read(this.key, { from });
    for (let i = 0; i < stored.ts.length; i++) {
      const c = candleAt(stored, i);
      this.#runner!.warm(c);
      this.#lastCandle = c;
      this.#candles++;
    }
    if (this.#lastCandle) live.setMark(this.spec.symbol, this.#lastCandle.close);
    const standing = liveStanding(events);
    this.#runner!.setPaused(standing.paused);
    this.#broker!.required = standing.requireConfirmation ?? this.spec.requireConfirmation;
    this.#trading = standing.trading;
    this.#tradeAfter = lastClosed;
    this.#announce("bot.reconciled", report);
  }

  async #releaseLive(): Promise<void> {
    const live = this.#account?.live;
    if (live) await this.deps.live?.release(live);
  }

  /** Stops following the feed and forgets in-memory state (the store keeps everything). */
  async halt(state: BotState = "stopped"): Promise<void> {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    await this.#queue.catch(() => {});
    await this.#releaseLive();
    this.#runner = undefined;
    this.state = state;
    this.#announce("bot.status", { state, error: this.lastError });
  }

  /**
   * The service's settings over the bot's file: a confirmation TTL applies to entries held from
   * now on; a different confirmation requirement is recorded as an event (so a replay keeps it).
   */
  applySettings(settings: BotSettings): Promise<void> {
    return this.#serial(() => this.#takeSettings(settings));
  }

  async #takeSettings(settings: BotSettings): Promise<void> {
    if (!this.#runner) return;
    this.#recorder!.ttlMs = settings.confirmationTtlMs ?? this.spec.confirmationTtlMs;
    const on = settings.requireConfirmation;
    if (on !== undefined && this.#broker!.required !== on) {
      await this.#record("require_confirmation", { on });
    }
  }

  /** Records and applies a control event in order with the candles. */
  control(kind: BotEventKind, payload: Record<string, unknown> = {}): Promise<void> {
    const run = async () => {
      if (!this.#runner) throw new InputError(`Bot "${this.spec.botId}" is not running.`);
      if (kind === "confirm" || kind === "reject" || kind === "expire") {
        const id = String(payload.clientId);
        if (!this.#broker!.held().some((h) => h.clientId === id)) {
          throw new InputError(
            `Order "${id}" of bot "${this.spec.botId}" is no longer waiting for confirmation ` +
              `(a newer signal replaced it, or it expired).`,
          );
        }
      }
      await this.#record(kind, payload);
      if (kind === "pause" || kind === "resume") {
        this.state = kind === "pause" ? "paused" : "running";
        this.#announce("bot.status", { state: this.state });
      }
    };
    return this.#serial(run);
  }

  /**
   * Hands alerts' signals to the strategy, each stamped with the bots' clock (or its own `ts`)
   * and recorded as an event (all in one write), so a restart replays them where they happened.
   * Idempotent by alert `seq`: alerts already recorded are not recorded again. Answers the seqs
   * recorded now. Refused when the bot is not running or its strategy takes no signals from
   * outside.
   */
  alerts(
    batch: readonly { seq: number; signal: Omit<ExternalSignal, "ts"> & { ts?: number } }[],
  ): Promise<number[]> {
    return this.#serial(async () => {
      const id = this.spec.botId;
      if (!this.#runner) throw new InputError(`Bot "${id}" is not running.`);
      if (!this.#external!.heard) {
        throw new InputError(
          `Bot "${id}" runs strategy "${this.spec.strategy}", which takes no alerts; ` +
            `alerts need the signals strategy.`,
        );
      }
      // Not recorded before (the bot's events say which were, as loaded at launch and kept
      // since), and each seq once.
      const seen = new Set<number>();
      const fresh = batch.filter((a) =>
        !this.#alertSeqs.has(a.seq) && !seen.has(a.seq) && seen.add(a.seq)
      );
      const runner = this.#runner;
      const now = this.deps.clock.now();
      const events = await this.deps.store.appendEvents(
        id,
        fresh.map((a) => ({
          afterTs: Number.isFinite(runner.lastTs) ? runner.lastTs : null,
          kind: "alert" as const,
          payload: { seq: a.seq, signal: { ...a.signal, ts: a.signal.ts ?? now } },
          at: now,
        })),
      );
      for (const a of fresh) this.#alertSeqs.add(a.seq);
      for (const e of events) await this.#apply(e);
      return fresh.map((a) => a.seq);
    });
  }

  /**
   * A person's order on a live bot's account (no confirmation, no risk gate: it is theirs),
   * queued with the candles, stored, and sent; resolves with the exchange's answer. The client
   * id is `<bot>-manual-<at>`, so the same request at the same millisecond is refused as a
   * duplicate rather than sent twice.
   */
  manual(o: ManualOrderRequest, at: number): Promise<ManualOrderResult> {
    const run = async (): Promise<ManualOrderResult> => {
      const live = this.#account?.live;
      if (!this.#runner || !live) {
        throw new InputError(
          `Bot "${this.spec.botId}" ${
            this.#runner ? "trades on paper" : "is not running"
          }: manual orders go through a running live bot.`,
        );
      }
      const req = manualRequest(this.spec, o, at);
      const ts = this.#lastCandle ? this.#lastCandle.ts + timeframeMs(this.spec.timeframe) : at;
      const res = live.submit(req, ts);
      this.#recorder!.onSubmit(req, ts, res);
      await this.#store(this.#recorder!.take());
      return await manualOutcome(live, req, res);
    };
    return this.#serial(run);
  }

  /** A summary for the API. */
  status() {
    const sim = this.#account?.base;
    const runner = this.#runner;
    const position: PositionView | undefined = sim?.position(this.spec.symbol);
    const warm = this.deps.def.warmup(this.spec.params);
    return {
      bot_id: this.spec.botId,
      state: this.state,
      strategy: this.spec.strategy,
      strategy_version: this.deps.def.version,
      exchange: this.spec.exchange,
      symbol: this.spec.symbol,
      timeframe: this.spec.timeframe,
      mode: this.spec.mode,
      paused: runner?.paused ?? false,
      requires_confirmation: this.#broker?.required ?? this.spec.requireConfirmation,
      equity: sim?.equity() ?? null,
      balance: sim?.balance() ?? null,
      position: position ?? null,
      open_orders: this.#broker?.openOrders(this.spec.symbol) ?? [],
      trades: sim?.trades().length ?? 0,
      last_candle_ts: this.#lastCandle?.ts ?? null,
      candles_seen: this.#candles,
      warming_up: this.#candles < warm ? { have: this.#candles, need: warm } : null,
      error: this.lastError ?? null,
      latency_ms: this.latency.summary(),
      order_latency_ms: this.orderLatency.summary(),
    };
  }

  #build(): void {
    const s = this.spec;
    const account = buildAccount(s, this.deps.live && ((spec) => this.deps.live!.broker(spec)));
    const recorder = new BotRecorder(
      s.botId,
      this.deps.def.version,
      s.confirmationTtlMs,
      () => this.#wallNow(),
    );
    const broker = new ConfirmingBroker(account.base, {
      onHold: (h) => recorder.onHold(h),
      onSubmit: (req, ts, res) => recorder.onSubmit(req, ts, res),
      onRelease: (h, why) => {
        if (why === "superseded") this.#superseded.push(h.clientId);
      },
    });
    broker.required = s.requireConfirmation;
    // a live order's decision and order rows go to the journal with its intent, before it is sent
    if (account.live) account.live.intentRecords = (id) => recorder.recordsOf(id);
    this.#account = account;
    this.#broker = broker;
    this.#recorder = recorder;
    this.#trading = false;
    this.#tradeAfter = -Infinity;
    this.#candles = 0;
    this.#external = new ExternalInput();
    this.#runner = new BotRunner({
      external: this.#external,
      // A strategy of its own that takes alerts: they must agree with its entries.
      alertsMustAgree: s.alerts !== undefined && this.deps.def.name !== "signals",
      def: this.deps.def,
      params: s.params,
      symbol: s.symbol,
      timeframe: s.timeframe,
      broker,
      risk: account.risk,
      leverage: s.leverage,
      takerFee: account.takerFee,
      idPrefix: s.botId,
      onDecision: (d) => recorder.onDecision(d),
      onFill: (f) => recorder.onFill(f, account.base.position(f.symbol)),
      onOrderRefusal: (r) => recorder.onOrderRefusal(r),
    });
  }

  /** Runs `fn` after everything queued before it (candles, events, manual orders). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const out = this.#queue.then(fn, fn);
    this.#queue = out.catch(() => {});
    return out;
  }

  /** The latest closed candle's open time and the first candle a fresh start loads. */
  #window(): { lastClosed: number; historyFrom: number } {
    const tf = timeframeMs(this.spec.timeframe);
    const lastClosed = floorToTimeframe(this.deps.clock.now(), this.spec.timeframe) - tf;
    const warm = this.deps.def.warmup(this.spec.params) + EXTRA_HISTORY;
    return { lastClosed, historyFrom: lastClosed - (warm - 1) * tf };
  }

  #enqueue(c: Candle, receivedAt: number): Promise<void> {
    const run = () => this.#process(c, receivedAt);
    const out = this.#queue.then(run, run);
    this.#queue = out.catch((err) => {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.onFailure(err);
    });
    return out;
  }

  async #process(c: Candle, receivedAt?: number): Promise<void> {
    const runner = this.#runner;
    if (!runner || !(c.ts > runner.lastTs)) return; // halted, or a candle seen already
    this.#lastCandle = c;
    this.#candles++;
    if (!this.#trading || c.ts <= this.#tradeAfter) {
      runner.warm(c);
      return;
    }
    const equity = runner.step(c);
    const base = this.#account!.base;
    const live = this.#account!.live;
    // Orders of this candle are at the broker now (paper), or acknowledged by the exchange
    // (live: flush waits for the sends): the latency figure of the service.
    if (live) await live.flush();
    const latency = receivedAt === undefined ? undefined : Date.now() - receivedAt;
    if (latency !== undefined) this.latency.add(latency);
    // Live fills are polled now, so the next candle (and the API meanwhile) knows them.
    if (live) await live.poll();
    this.#recorder!.onTrades(base.trades());
    const out = this.#recorder!.take({ ts: c.ts, equity, balance: base.balance() });
    if (latency !== undefined && out.rows.orders.length > 0) this.orderLatency.add(latency);
    if (this.#replaying && c.ts <= this.#lastRecorded) return;
    await this.#store(out);
    this.#announce("bot.equity", { ts: c.ts, equity, balance: base.balance() });
  }

  /** Stores an event (live), then applies it. */
  async #record(kind: BotEventKind, payload: Record<string, unknown>): Promise<void> {
    const runner = this.#runner!;
    const e = await this.deps.store.appendEvent(this.spec.botId, {
      afterTs: Number.isFinite(runner.lastTs) ? runner.lastTs : null,
      kind,
      payload,
      at: this.deps.clock.now(),
    });
    await this.#apply(e);
  }

  async #apply(e: BotEvent): Promise<void> {
    const runner = this.#runner!;
    const broker = this.#broker!;
    const f = applyEvent(e, {
      runner,
      broker,
      symbol: this.spec.symbol,
      closeTs: runner.lastTs + timeframeMs(this.spec.timeframe),
      lastClose: this.#lastCandle?.close,
      trade: (on, after) => {
        this.#trading = on;
        if (on) this.#tradeAfter = after;
      },
      external: (signal) => this.#external!.push(signal),
    });
    if (f) this.#recorder!.onFill(f, this.#account!.base.position(this.spec.symbol));
    this.#recorder!.onTrades(this.#account!.base.trades());
    await this.#store(this.#recorder!.take());
  }

  /** Writes taken records, then marks the confirmations the engine replaced and announces. */
  async #store(out: ReturnType<BotRecorder["take"]>): Promise<void> {
    await this.deps.store.write(this.spec.botId, out.rows);
    for (const id of this.#superseded.splice(0)) {
      const pendingId = `${this.spec.botId}:${id}`;
      await this.deps.store.decidePending(pendingId, "superseded", this.#wallNow(), "bot");
      this.#announce("pending.superseded", { id: pendingId, client_id: id });
    }
    for (const a of out.announcements) this.#announce(a.type, a.data, a.correlationId);
  }

  /** The wall clock of confirmations (the supervisor's, else the system's). */
  #wallNow(): number {
    return (this.deps.wallNow ?? Date.now)();
  }

  #announce(type: string, data: unknown, correlationId?: string): void {
    if (this.#replaying) return;
    this.deps.bus.publish({ type, botId: this.spec.botId, correlationId, data });
  }
}
