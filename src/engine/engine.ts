// The engine loop: candles in, strategy decisions through the risk gate, orders to the broker.
//
// Order of operations for each closed base candle i of a symbol (the same in every mode):
//  1. broker.onBar: resting orders fill against candle i (market orders from decision i-1 at
//     its open, then stops/limits/brackets by its range), funding, liquidation, marks to close.
//  2. Bookkeeping: equity after candle i, peak equity, the UTC day's starting equity, losses.
//  3. Position timeout: a position older than the limit gets a market exit (fills at i+1 open).
//  4. Strategy.onCandle(i), once warm-up is over: a signal or nothing.
//  5. Risk gate: the signal becomes a plan (open, close, flip) or a recorded refusal.
//  6. Orders from the plan go to the broker; they can fill from candle i+1 on.

import type { CandleColumns } from "../core/candles.ts";
import { TidewatchError } from "../core/errors.ts";
import { isoUtc } from "../core/candles.ts";
import type { StrategyInstance } from "../core/strategy.ts";
import type {
  Direction,
  ExitReason,
  Fill,
  OrderRequest,
  PositionView,
  Refusal,
  Signal,
} from "../core/trading.ts";
import type { RiskGate } from "../risk/gate.ts";
import type { OpenPlan } from "../risk/types.ts";
import { DecisionContext } from "./decision_context.ts";
import { type Book, CandleSlot, DAY, TrackedSymbols } from "./engine_state.ts";
import { type Decision, DecisionOutlet, orderIds } from "./decisions.ts";
import type { RunRecorder } from "../sim/run_recorder.ts";
import type { Accepted, Broker, OrderRefusal } from "../core/ports.ts";

/** A strategy failed; the run stops with its name and the candle time. */
export class StrategyError extends TidewatchError {}

export type { Decision } from "./decisions.ts";

/** One symbol's candles and strategy, as the engine runs them. */
export interface EngineSymbol {
  symbol: string;
  data: CandleColumns;
  strategy: StrategyInstance;
  /** Lower-timeframe candles for intrabar order of fills, per base index (optional). */
  lower?: (i: number) => CandleColumns | undefined;
}

/** Options for {@link Engine}. */
export interface EngineOptions {
  strategyName: string;
  timeframeMs: number;
  broker: Broker;
  risk: RiskGate;
  /** Which entries the strategy may open (its `direction` parameter). */
  direction: Direction;
  /** Leverage new positions are opened with (default 1). */
  leverage?: number;
  /** Taker fee fraction, for the gate's size estimates. */
  takerFee: number;
  /** Base candles before the first decision (default 0). */
  warmup?: number;
  /** Prefix of client order ids (default "bt"); ids are `${prefix}-${symbol}-${ts}-${leg}`. */
  idPrefix?: string;
  /** Called with every decision as it is made. */
  onDecision?: (d: Decision) => void;
  /**
   * Where every decision is recorded as it is made, its reason written when read (a backtest:
   * the simulated broker's run log).
   */
  recorder?: RunRecorder;
  onFill?: (f: Fill) => void;
  /** Orders the broker cancelled at fill time (recorded like refused decisions). */
  onOrderRefusal?: (r: OrderRefusal) => void;
}

/** The exits a plan attaches to its entry (absolute or in percent of the fill), or undefined. */
function bracketOf(plan: OpenPlan): OrderRequest["bracket"] {
  if (plan.slPct === undefined && plan.tpPct === undefined) {
    return plan.sl !== undefined || plan.tp !== undefined
      ? { sl: plan.sl, tp: plan.tp }
      : undefined;
  }
  const b: NonNullable<OrderRequest["bracket"]> = {};
  if (plan.slPct !== undefined) b.slPct = plan.slPct;
  else if (plan.sl !== undefined) b.sl = plan.sl;
  if (plan.tpPct !== undefined) b.tpPct = plan.tpPct;
  else if (plan.tp !== undefined) b.tp = plan.tp;
  return b;
}

/**
 * The engine: feed it closed candles with {@link Engine.step}; it never reads a clock and never
 * knows the mode. A backtest calls step for every candle in time order; a live bot as they close.
 */
export class Engine {
  private readonly book: Book;
  private readonly bar = new CandleSlot();
  private readonly warmup: number;
  private readonly watchDrawdown: boolean;
  private readonly watchTimeout: boolean;
  /** Only the cooldown rule reads the latest loss: without one, trades are not looked at. */
  private readonly watchLosses: boolean;
  /** Resting limit entries with an expiry: symbol → order, the candle index it lapses at, why. */
  private readonly pending = new Map<
    string,
    { orderId: string; clientId: string; until: number; signal: Signal }
  >();
  /** Candles stepped with a position open (all symbols): the exposure of a run. */
  exposureBars = 0;
  /** The risk context of the decision in progress (one object, rewritten for every decision). */
  private readonly ctx: DecisionContext;
  /** Where decisions go: the log and `onDecision`. */
  private readonly outlet: DecisionOutlet;
  /** The symbols registered with `track`: their positions and the start of their client ids. */
  private readonly tracked: TrackedSymbols;

  constructor(private readonly opts: EngineOptions) {
    const eq = opts.broker.equity();
    this.book = {
      equity: eq,
      peak: eq,
      day: -1,
      dayFrom: NaN,
      dayTo: NaN,
      dayStart: eq,
      tradesToday: 0,
      seenTrades: 0,
      killSwitch: false,
    };
    this.warmup = opts.warmup ?? 0;
    this.watchDrawdown = opts.risk.config.maxDrawdown !== undefined;
    this.watchTimeout = opts.risk.config.positionTimeoutMs !== undefined;
    this.watchLosses = opts.risk.config.cooldownMs !== undefined;
    this.ctx = new DecisionContext(opts);
    this.outlet = new DecisionOutlet(opts.recorder, opts.onDecision);
    this.tracked = new TrackedSymbols(opts.idPrefix ?? "bt");
  }

  /** The account's equity now. */
  equity(): number {
    return this.opts.broker.equity();
  }

  /** Turns the kill switch on or off: no new entries while on; exits still pass. */
  setKillSwitch(on: boolean): void {
    this.book.killSwitch = on;
  }

  /** Processes closed candle `i` of `s` (steps 1-6 in the file header). Returns equity after it. */
  step(s: EngineSymbol, i: number): number {
    // A small wrapper, so that it is inlined into the caller's loop: a float returned from a
    // function that is not inlined is boxed (a heap allocation for every candle).
    this.advance(s, i);
    return this.book.equity;
  }

  private advance(s: EngineSymbol, i: number): void {
    const { broker } = this.opts;
    const d = s.data;
    const bar = this.bar;
    bar.ts = d.ts[i];
    bar.open = d.open[i];
    bar.high = d.high[i];
    bar.low = d.low[i];
    bar.close = d.close[i];
    bar.volume = d.volume[i];
    const fills = broker.onBar(s.symbol, bar, s.lower?.(i));
    if (fills.length) this.afterFills(fills);
    if (this.pending.size) this.expireEntries(s.symbol, i, bar.ts + this.opts.timeframeMs);
    const refusals = broker.takeRefusals();
    for (let k = 0; k < refusals.length; k++) this.opts.onOrderRefusal?.(refusals[k]);
    const equity = broker.equity();
    const book = this.book;
    book.equity = equity;
    if (equity > book.peak) book.peak = equity;
    // The UTC day changes when the open time leaves [dayFrom, dayTo): two comparisons per
    // candle instead of a division (the same test as comparing floor(ts / DAY) with book.day).
    if (!(bar.ts >= book.dayFrom && bar.ts < book.dayTo)) {
      const day = Math.floor(bar.ts / DAY);
      if (day !== book.day) {
        book.day = day;
        book.dayStart = equity;
        book.tradesToday = 0;
      }
      book.dayFrom = day * DAY;
      book.dayTo = book.dayFrom + DAY;
    }
    const closeTs = bar.ts + this.opts.timeframeMs;
    const position = broker.position(s.symbol);
    if (position) this.exposureBars++;
    if (this.watchDrawdown) this.opts.risk.observe({ ts: closeTs, equity, peakEquity: book.peak });
    if (position && this.watchTimeout && this.opts.risk.timedOut(position, closeTs)) {
      this.exit(s.symbol, position, closeTs, "timeout");
    }
    if (i < this.warmup) return;
    let signal: Signal | null;
    try {
      signal = s.strategy.onCandle(i);
    } catch (err) {
      throw new StrategyError(
        `Strategy "${this.opts.strategyName}" failed on ${s.symbol} at the candle of ${
          isoUtc(bar.ts)
        }: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (signal) this.decide(s.symbol, position, signal, closeTs, bar.close, equity, i);
  }

  private afterFills(fills: Fill[]): void {
    const onFill = this.opts.onFill;
    if (onFill !== undefined) { for (let k = 0; k < fills.length; k++) onFill(fills[k]); }
    if (this.watchLosses) this.watchForLosses();
  }

  /** Notes the latest losing trade closed since the last look (the cooldown rule reads it). */
  private watchForLosses(): void {
    const trades = this.opts.broker.trades();
    const book = this.book;
    for (let k = trades.length - 1; k >= book.seenTrades; k--) {
      if (trades[k].pnl < 0) {
        book.lastLoss = { ts: trades[k].exit_ts };
        break;
      }
    }
    book.seenTrades = trades.length;
  }

  private expireEntries(symbol: string, i: number, ts: number): void {
    const p = this.pending.get(symbol);
    if (!p) return;
    const open = this.opts.broker.openOrders(symbol).some((o) => o.id === p.orderId);
    if (!open) this.pending.delete(symbol);
    else if (i >= p.until) {
      this.opts.broker.cancel(p.orderId);
      this.pending.delete(symbol);
      this.outlet.record({
        ts,
        symbol,
        signal: p.signal,
        outcome: "cancelled",
        code: "entry_expired",
        reason: `limit entry not filled within ${p.signal.validBars} candles: cancelled`,
        notes: undefined,
        orders: [p.clientId],
      });
    }
  }

  /** Runs `signal` through the risk gate and sends the plan's orders; `position` is the current one. */
  private decide(
    symbol: string,
    position: PositionView | undefined,
    signal: Signal,
    ts: number,
    price: number,
    equity: number,
    i: number,
  ): void {
    const { broker, risk } = this.opts;
    const ctx = this.ctx;
    ctx.ts = ts;
    ctx.symbol = symbol;
    ctx.price = price;
    ctx.signal = signal;
    ctx.equity = equity;
    ctx.balance = broker.balance();
    ctx.peakEquity = this.book.peak;
    ctx.dayStartEquity = this.book.dayStart;
    ctx.openPositions = this.tracked.positions(broker);
    ctx.position = position;
    ctx.tradesToday = this.book.tradesToday;
    ctx.lastLoss = this.book.lastLoss;
    ctx.killSwitch = this.book.killSwitch;
    const result = risk.evaluate(ctx);
    if (!result.ok) return this.refused(symbol, signal, result, ts);
    let exitId: string | undefined;
    let openId: string | undefined;
    let opened: Accepted | Refusal | undefined;
    if ((result.action === "close" || result.action === "flip") && position) {
      exitId = this.exit(symbol, position, ts, "signal");
    }
    if (result.action === "open" || result.action === "flip") {
      openId = `${this.tracked.idHead(symbol)}${ts}-open`;
      opened = this.open(symbol, result, ts, openId);
      if (opened.ok && result.entryType === "limit" && signal.validBars !== undefined) {
        const until = i + signal.validBars;
        this.pending.set(symbol, { orderId: opened.orderId, clientId: openId, until, signal });
      }
    }
    if (opened !== undefined && !opened.ok) {
      this.outlet.record({
        ts,
        symbol,
        signal,
        outcome: "refused",
        code: opened.code,
        reason: opened.reason,
        notes: undefined,
        orders: orderIds(exitId, undefined),
      });
    } else {
      this.outlet.record({
        ts,
        symbol,
        signal,
        outcome: "order",
        code: result.action,
        reason: signal.reason,
        notes: result.notes,
        orders: orderIds(exitId, opened === undefined ? undefined : openId),
      });
    }
  }

  /**
   * The decision on a refused signal. Flat with an exit signal, a resting entry may be waiting:
   * the exit withdraws it ("cancelled" instead of "refused").
   */
  private refused(symbol: string, signal: Signal, refusal: Refusal, ts: number): void {
    const { broker } = this.opts;
    const resting = refusal.code === "no_position" && signal.side === "exit"
      ? broker.openOrders(symbol).filter((o) => !o.reduceOnly && !o.ocoWith)
      : [];
    if (resting.length === 0) {
      this.outlet.record({
        ts,
        symbol,
        signal,
        outcome: "refused",
        code: refusal.code,
        reason: refusal.reason,
        notes: undefined,
        orders: [],
      });
      return;
    }
    for (const o of resting) broker.cancel(o.id);
    this.pending.delete(symbol);
    this.outlet.record({
      ts,
      symbol,
      signal,
      outcome: "cancelled",
      code: "entry_cancelled",
      reason: `${signal.reason}; the resting entry was cancelled`,
      notes: undefined,
      orders: resting.map((o) => o.clientId),
    });
  }

  /** Registers a symbol so cross-symbol risk rules see its position. */
  track(symbol: string): void {
    this.tracked.track(symbol);
  }

  /** Sends the entry of `plan` with `clientId`, after cancelling the symbol's resting entries. */
  private open(symbol: string, plan: OpenPlan, ts: number, clientId: string): Accepted | Refusal {
    const { broker } = this.opts;
    // an indexed loop: `for…of` over the broker's shared frozen empty list took V8's slow path
    const open = broker.openOrders(symbol);
    for (let k = 0; k < open.length; k++) {
      if (!open[k].reduceOnly && !open[k].ocoWith) broker.cancel(open[k].id);
    }
    const limit = plan.entryType === "limit" && plan.entryPrice !== undefined;
    const res = broker.submit({
      clientId,
      symbol,
      side: plan.side === "long" ? "buy" : "sell",
      type: limit ? "limit" : "market",
      price: limit ? plan.entryPrice : undefined,
      size: plan.size,
      leverage: this.opts.leverage,
      bracket: bracketOf(plan),
    }, ts);
    if (res.ok) this.book.tradesToday++;
    return res;
  }

  private exit(
    symbol: string,
    position: PositionView,
    ts: number,
    reason: ExitReason,
  ): string | undefined {
    const open = this.opts.broker.openOrders(symbol);
    for (let k = 0; k < open.length; k++) {
      // an exit is already on its way
      if (open[k].reduceOnly && open[k].type === "market") return open[k].clientId;
    }
    const clientId = `${this.tracked.idHead(symbol)}${ts}-${reason}`;
    const res = this.opts.broker.submit({
      clientId,
      symbol,
      side: position.side === "long" ? "sell" : "buy",
      type: "market",
      size: { kind: "qty", qty: position.qty },
      reduceOnly: true,
      exitReason: reason,
    }, ts);
    return res.ok ? clientId : undefined;
  }
}
