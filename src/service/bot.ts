// One bot of the service: a LiveRunner on its own paper account, rebuilt from its candles and events.

import type { Candle, SeriesKey } from "../core/candles.ts";
import { InputError } from "../core/errors.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";
import type { FeeSchedule, PositionView } from "../core/trading.ts";
import { simSetup } from "../backtest/wiring.ts";
import { ConfirmingBroker } from "../engine/confirming_broker.ts";
import { LiveRunner } from "../engine/live_runner.ts";
import type { Clock } from "../engine/ports.ts";
import type { SimBroker } from "../engine/sim_broker.ts";
import type { MarketFeed, Subscription } from "../market/feed.ts";
import type { BotEvent, BotEventKind, BotStore } from "../store/bot_store.ts";
import type { CandleStore } from "../store/candle_store.ts";
import { BotRecorder } from "./bot_records.ts";
import type { EventBus } from "./event_bus.ts";
import { LatencyWindow } from "./latency.ts";

/** What a bot is, resolved from its config file. */
export interface BotSpec {
  botId: string;
  strategy: string;
  /** Parsed strategy parameters. */
  params: Record<string, unknown>;
  exchange: string;
  /** Unified ccxt symbol. */
  symbol: string;
  timeframe: string;
  virtualBalance: number;
  fees: FeeSchedule;
  slippageBps: number;
  leverage: number;
  /** Risk settings (src/risk/config.ts). */
  risk: Record<string, unknown>;
  mode: "paper" | "live";
  requireConfirmation: boolean;
  confirmationTtlMs: number;
}

/** What a bot needs from the service. */
export interface BotDeps {
  def: StrategyDefinition;
  store: BotStore;
  candles: CandleStore;
  feed: MarketFeed;
  bus: EventBus;
  /** The service clock: wall time, or the replay's time. */
  clock: Clock;
}

/** Where a bot is in its life. */
export type BotState = "stopped" | "starting" | "running" | "paused" | "failed";

/** Candles of history a bot loads before its first decision, besides the strategy's warm-up. */
const EXTRA_HISTORY = 50;

/**
 * A paper bot. Its whole state is a function of its candles and its events (start, stop, pause,
 * confirmations...): on launch it replays the stored candles with the stored events applied at
 * the candles they happened after, so a crash loses nothing and sends nothing twice, then it
 * follows the feed. Candles and events go through one queue, so they never interleave.
 */
export class Bot {
  state: BotState = "stopped";
  lastError?: string;
  #runner?: LiveRunner;
  #sim?: SimBroker;
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
  /** Milliseconds from a candle's arrival to its orders reaching the broker (recent candles). */
  readonly latency = new LatencyWindow(1000);
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

  /** Builds the bot from its stored candles and events, then follows the feed. */
  async launch(): Promise<void> {
    this.state = "starting";
    const { store } = this.deps;
    const tf = timeframeMs(this.spec.timeframe);
    let events = await store.events(this.spec.botId);
    if (!events.some((e) => e.kind === "start")) {
      const lastClosed = floorToTimeframe(this.deps.clock.now(), this.spec.timeframe) - tf;
      const warm = this.deps.def.warmup(this.spec.params) + EXTRA_HISTORY;
      await store.appendEvent(this.spec.botId, {
        afterTs: null,
        kind: "start",
        payload: { historyFrom: lastClosed - (warm - 1) * tf, tradeAfter: lastClosed },
        at: this.deps.clock.now(),
      });
      events = await store.events(this.spec.botId);
    }
    const historyFrom = Number(events.find((e) => e.kind === "start")!.payload.historyFrom);
    this.#build();
    this.#lastRecorded = await store.lastRecorded(this.spec.botId);
    const stored = await this.deps.candles.read(this.key, { from: historyFrom });
    this.#replaying = true;
    let k = 0;
    for (let i = 0; i < stored.ts.length; i++) {
      const ts = stored.ts[i];
      while (k < events.length && (events[k].afterTs ?? -Infinity) < ts) {
        await this.#apply(events[k++]);
      }
      await this.#process({
        ts,
        open: stored.open[i],
        high: stored.high[i],
        low: stored.low[i],
        close: stored.close[i],
        volume: stored.volume[i],
      });
    }
    while (k < events.length) await this.#apply(events[k++]);
    this.#replaying = false;
    // Started after a stop: candles up to now only warm up; trading resumes with the next one.
    if (!this.#trading) {
      const lastClosed = floorToTimeframe(this.deps.clock.now(), this.spec.timeframe) - tf;
      await this.#record("start", { tradeAfter: lastClosed });
    }
    this.state = this.#runner!.paused ? "paused" : "running";
    const after = Math.max(this.#runner!.lastTs, historyFrom - 1);
    this.#sub = this.deps.feed.subscribe(
      this.key,
      after,
      (c) => this.#enqueue(c.candle, c.receivedAt),
    );
    this.#announce("bot.status", { state: this.state });
  }

  /** Stops following the feed and forgets in-memory state (the store keeps everything). */
  async halt(state: BotState = "stopped"): Promise<void> {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    await this.#queue.catch(() => {});
    this.#runner = undefined;
    this.state = state;
    this.#announce("bot.status", { state, error: this.lastError });
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
    const out = this.#queue.then(run, run);
    this.#queue = out.catch(() => {});
    return out;
  }

  /** A summary for the API. */
  status() {
    const sim = this.#sim;
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
    };
  }

  #build(): void {
    const s = this.spec;
    const setup = simSetup({
      strategy: s.strategy,
      symbol: s.symbol,
      timeframe: s.timeframe,
      cash: s.virtualBalance,
      fees: s.fees,
      slippageBps: s.slippageBps,
      leverage: s.leverage,
      risk: s.risk,
    }, [s.symbol]);
    const recorder = new BotRecorder(
      s.botId,
      this.deps.def.version,
      s.confirmationTtlMs,
      () => Date.now(),
    );
    const broker = new ConfirmingBroker(setup.broker, {
      onHold: (h) => recorder.onHold(h),
      onSubmit: (req, ts, res) => recorder.onSubmit(req, ts, res),
      onRelease: (h, why) => {
        if (why === "superseded") this.#superseded.push(h.clientId);
      },
    });
    broker.required = s.requireConfirmation;
    this.#sim = setup.broker;
    this.#broker = broker;
    this.#recorder = recorder;
    this.#trading = false;
    this.#tradeAfter = -Infinity;
    this.#candles = 0;
    this.#runner = new LiveRunner({
      def: this.deps.def,
      params: s.params,
      symbol: s.symbol,
      timeframe: s.timeframe,
      broker,
      risk: setup.risk,
      leverage: s.leverage,
      takerFee: setup.fees.taker,
      idPrefix: s.botId,
      onDecision: (d) => recorder.onDecision(d),
      onFill: (f) => recorder.onFill(f, setup.broker.position(f.symbol)),
      onOrderRefusal: (r) => recorder.onOrderRefusal(r),
    });
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
    // Orders of this candle are at the broker now: the latency figure of the service.
    if (receivedAt !== undefined) this.latency.add(Date.now() - receivedAt);
    this.#recorder!.onTrades(this.#sim!.trades());
    const out = this.#recorder!.take({ ts: c.ts, equity, balance: this.#sim!.balance() });
    if (this.#replaying && c.ts <= this.#lastRecorded) return;
    await this.deps.store.write(this.spec.botId, out.rows);
    await this.#voidSuperseded();
    for (const a of out.announcements) this.#announce(a.type, a.data, a.correlationId);
    this.#announce("bot.equity", { ts: c.ts, equity, balance: this.#sim!.balance() });
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
    const tf = timeframeMs(this.spec.timeframe);
    const closeTs = runner.lastTs + tf;
    const clientId = String(e.payload.clientId ?? "");
    switch (e.kind) {
      case "start":
        this.#trading = true;
        this.#tradeAfter = Number(e.payload.tradeAfter ?? -Infinity);
        break;
      case "stop":
        this.#trading = false;
        for (const o of broker.openOrders(this.spec.symbol)) {
          if (!o.reduceOnly && !o.ocoWith) broker.cancel(o.id);
        }
        break;
      case "pause":
        runner.setPaused(true);
        break;
      case "resume":
        runner.setPaused(false);
        break;
      case "confirm":
        broker.confirm(clientId, closeTs);
        break;
      case "reject":
      case "expire":
        broker.release(clientId, e.kind === "reject" ? "rejected" : "expired");
        break;
      case "require_confirmation":
        broker.required = Boolean(e.payload.on);
        break;
      case "flatten": {
        const c = this.#lastCandle;
        const f = c && broker.closePosition(this.spec.symbol, c.close, closeTs, "kill_switch");
        if (f) this.#recorder!.onFill(f, this.#sim!.position(this.spec.symbol));
        break;
      }
    }
    const fills = this.#sim!.trades();
    this.#recorder!.onTrades(fills);
    const out = this.#recorder!.take();
    await this.deps.store.write(this.spec.botId, out.rows);
    await this.#voidSuperseded();
    if (!this.#replaying) {
      for (const a of out.announcements) this.#announce(a.type, a.data, a.correlationId);
    }
  }

  async #voidSuperseded(): Promise<void> {
    for (const id of this.#superseded.splice(0)) {
      await this.deps.store.decidePending(
        `${this.spec.botId}:${id}`,
        "superseded",
        Date.now(),
        "bot",
      );
    }
  }

  #announce(type: string, data: unknown, correlationId?: string): void {
    if (this.#replaying) return;
    this.deps.bus.publish({ type, botId: this.spec.botId, correlationId, data });
  }
}
