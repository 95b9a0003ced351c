// Risk gate vocabulary: the context a decision is made in, the approved plans, and refusal codes.

import {
  type Direction,
  levelFromFill,
  type OrderSize,
  type PositionSide,
  type PositionView,
  type Refusal,
  type Signal,
} from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import type { Note } from "./sizing_note.ts";

/**
 * Everything the risk gate looks at when a strategy emits a signal on a closed candle. The engine
 * builds it; the gate only reads it. Times are UTC epoch ms; money is in quote currency.
 */
export interface RiskContext {
  /** Close time of the candle the signal was emitted on: "now" for every time-based rule. */
  ts: number;
  /** Symbol the signal is for, e.g. "BTC/USDT". */
  symbol: string;
  /** Last close: the expected entry price of a market entry (a limit entry uses `signal.entry`). */
  price: number;
  /** The strategy's decision. */
  signal: Signal;
  /** Wallet balance plus unrealised P&L at the latest marks: what sizing and limits use. */
  equity: number;
  /** Wallet balance (cash after realised P&L, fees, funding); shown in the plan's notes. */
  balance: number;
  /** Highest equity so far: the reference of `maxDrawdown`. */
  peakEquity: number;
  /** Equity at 00:00 UTC of the day holding `ts`: the reference of `dailyLossLimit`. */
  dayStartEquity: number;
  /** Every open position, all symbols (this one included, if any). */
  openPositions: readonly PositionView[];
  /** The open position in `symbol`, undefined when flat. */
  position?: PositionView;
  /** Entries opened so far on the UTC day holding `ts` (all symbols). */
  tradesToday: number;
  /** The most recent exit that lost money (any symbol), by exit time; undefined when none. */
  lastLoss?: { ts: number };
  /** Operator's stop: while on, no new entries (exits still pass). */
  killSwitch: boolean;
  /** Which entries the strategy may open; with "long", a short signal only closes a long. */
  direction: Direction;
  /** Leverage the new position would be opened with (the account/market setting; 1 for spot). */
  leverage: number;
  /** Taker fee as a fraction of notional (e.g. 0.001), used for equity sizing estimates. */
  takerFee: number;
}

/** Where an entry would happen: a limit at `signal.entry`, else a market order at `price`. */
export interface EntryPoint {
  entryType: "market" | "limit";
  /** Limit price for a limit entry, the last close for a market entry. */
  price: number;
}

/** The entry point of the context's signal. */
export function entryPoint(ctx: RiskContext): EntryPoint {
  return ctx.signal.entry === undefined
    ? { entryType: "market", price: ctx.price }
    : { entryType: "limit", price: ctx.signal.entry };
}

/**
 * The stop and target of `signal` as prices for a `side` entry at `price`: absolute levels as
 * given, percentages of the fill (`slPct`, `tpPct`) estimated from `price`.
 */
export function levelsAt(
  signal: Signal,
  side: PositionSide,
  price: number,
): { sl: number | undefined; tp: number | undefined } {
  return {
    sl: signal.slPct !== undefined ? levelFromFill(price, signal.slPct, side, "sl") : signal.sl,
    tp: signal.tpPct !== undefined ? levelFromFill(price, signal.tpPct, side, "tp") : signal.tp,
  };
}

/** Decision-time estimate of an entry: its price, quantity (base units) and notional. */
export interface Estimate {
  price: number;
  qty: number;
  notional: number;
}

/**
 * An approved entry: open a position, or (flip) close the opposite one first, then open.
 * The size is resolved by the broker at fill time; `estimate` is the same arithmetic now.
 */
export interface OpenPlan {
  ok: true;
  action: "open" | "flip";
  /** Side of the position to open. */
  side: PositionSide;
  size: OrderSize;
  entryType: "market" | "limit";
  /** Limit price (limit entries only). */
  entryPrice?: number;
  sl?: number;
  tp?: number;
  /** Stop-loss in percent of the entry's fill price (placed when it fills; instead of `sl`). */
  slPct?: number;
  /** Take-profit in percent of the entry's fill price (instead of `tp`). */
  tpPct?: number;
  /** Set when a cap (max_leverage, max_notional) made the size smaller: what and by how much. */
  capped?: string;
  /** For a flip: the position that is closed first (whole), with exit reason "signal". */
  close?: { side: PositionSide; qty: number };
  estimate: Estimate;
  /** The signal's reason, recorded with the orders. */
  signalReason: string;
  /** Sentences for people: sizing arithmetic, caps, the flip. */
  notes: Note[];
}

/** An approved exit: close the whole position in the symbol, exit reason "signal". */
export interface ClosePlan {
  ok: true;
  action: "close";
  /** Side of the position being closed. */
  side: PositionSide;
  qty: number;
  exitReason: "signal";
  /** The signal's reason, recorded with the order. */
  signalReason: string;
  notes: Note[];
  /** Set when an opposite signal (direction "both") could not open its side: why not. */
  openRefused?: Refusal;
}

/** What the gate approves. */
export type Plan = OpenPlan | ClosePlan;

/** What the gate answers: a plan, or a refusal with its reason. */
export type Decision = Plan | Refusal;

/**
 * Refusal codes of the gate: one per entry rule (in rule order, see `ENTRY_RULES`), plus the
 * position/direction checks that run before them.
 */
export type RiskCode =
  | "no_position"
  | "already_in_position"
  | "direction"
  | "kill_switch"
  | "invalid_context"
  | "drawdown_suspended"
  | "daily_loss_limit"
  | "max_trades_per_day"
  | "cooldown"
  | "max_open_positions"
  | "min_confidence"
  | "stop_required"
  | "min_reward_risk"
  | "sizing"
  | "max_leverage"
  | "max_notional";

/** A refusal value with a risk code. */
export function refuse(code: RiskCode, reason: string): Refusal {
  return { ok: false, code, reason };
}

/** The signature of a check-only entry rule: a refusal, or undefined to let the entry through. */
export type RiskRule = (ctx: RiskContext, config: RiskConfig) => Refusal | undefined;
