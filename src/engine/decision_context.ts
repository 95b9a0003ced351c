// The risk context of the engine's decisions: one object per engine, rewritten for each decision.

import type { Direction, PositionView, Signal } from "../core/trading.ts";
import type { RiskContext } from "../risk/types.ts";

/**
 * The RiskContext the engine passes to `risk.evaluate`: one per engine, rewritten for every
 * decision. The gate and its rules read the context and never keep it, and a fresh literal of 16
 * fields (7 of them boxed doubles) for each of a run's tens of thousands of decisions was a good
 * part of what the garbage collector had to do. Fields start with values of their final type.
 */
export class DecisionContext implements RiskContext {
  ts = NaN;
  symbol = "";
  price = NaN;
  signal: Signal = NO_SIGNAL;
  equity = NaN;
  balance = NaN;
  peakEquity = NaN;
  dayStartEquity = NaN;
  openPositions: readonly PositionView[] = [];
  position: PositionView | undefined = undefined;
  tradesToday = 0;
  lastLoss: { ts: number } | undefined = undefined;
  killSwitch = false;
  readonly direction: Direction;
  readonly leverage: number;
  readonly takerFee: number;

  /** A context for an engine with `opts` (its direction, leverage and taker fee never change). */
  constructor(opts: { direction: Direction; leverage?: number; takerFee: number }) {
    this.direction = opts.direction;
    this.leverage = opts.leverage ?? 1;
    this.takerFee = opts.takerFee;
  }
}

/** Placeholder signal of a context before its first decision. */
const NO_SIGNAL: Signal = Object.freeze({ side: "exit", confidence: 0, reason: "" });
