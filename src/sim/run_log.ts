// The simulated run's recorder: fills and trades as typed-array columns, decisions with their
// texts written when read, refused orders in a list; read back as plain objects.

import type { Decision, DecisionCount } from "../core/decision_summary.ts";
import type { OrderRefusal } from "../core/ports.ts";
import type { Fill, Trade } from "../core/trading.ts";
import { type TradeBook, TradeLog } from "../account/trade_log.ts";
import { DecisionLog } from "./decision_log.ts";
import { FillLog } from "./fill_log.ts";
import type { DecisionRecord, RunRecorder } from "./run_recorder.ts";

/**
 * Everything a simulated run recorded, in order. A backtest makes tens of thousands of fills,
 * trades and decisions and reads them once, at the end, or never (an optimiser's trial): kept
 * as objects they were a large part of what the garbage collector copied, so fills and trades
 * go into columns (FillLog, TradeLog) and decisions keep their reasons unwritten (DecisionLog).
 * What is read back equals what went in.
 *
 * @example
 * ```ts
 * const log = new RunLog("sim-");
 * log.fill(fill);
 * log.fills(); // [an object equal to fill]
 * ```
 */
export class RunLog implements RunRecorder, TradeBook {
  readonly #fills: FillLog;
  readonly #trades = new TradeLog();
  readonly #decisions = new DecisionLog();
  readonly #refusals: OrderRefusal[] = [];

  /** A log of a broker whose order ids are `${idPrefix}${n}` (other ids are kept too). */
  constructor(idPrefix: string) {
    this.#fills = new FillLog(idPrefix);
  }

  /** Records a fill. */
  fill(f: Fill): void {
    this.#fills.push(f);
  }

  /** Records a closed trade. */
  trade(t: Trade): void {
    this.#trades.trade(t);
  }

  /** Records an order refused at fill time. */
  refusal(r: OrderRefusal): void {
    this.#refusals.push(r);
  }

  /** Records a decision (kept, not copied). */
  decision(d: DecisionRecord): void {
    this.#decisions.add(d);
  }

  /** Every fill, in order. */
  fills(): readonly Fill[] {
    return this.#fills.all();
  }

  /** Every closed trade, in closing order. */
  trades(): readonly Trade[] {
    return this.#trades.trades();
  }

  /** Orders refused at fill time, in order. */
  refusals(): readonly OrderRefusal[] {
    return this.#refusals;
  }

  /** Every decision, in order, its reason written. */
  decisions(): readonly Decision[] {
    return this.#decisions.all();
  }

  /** The decisions counted by outcome and code (no text written). */
  decisionSummary(): DecisionCount[] {
    return this.#decisions.summary();
  }
}
