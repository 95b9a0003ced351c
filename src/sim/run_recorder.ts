// What a simulated run records as it happens: fills, closed trades, refused orders, decisions.

import type { Decision } from "../core/decision_summary.ts";
import type { OrderRefusal } from "../core/ports.ts";
import type { Fill, Signal, Trade } from "../core/trading.ts";
import type { Note } from "../risk/sizing_note.ts";

/**
 * A decision as the engine makes it: a plain object whose reason text is not written yet. The
 * `notes` (the plan's, e.g. the sizing note) follow `reason`, "; "-separated, in the written
 * {@link Decision}; a backtest keeps every decision and reads few of their texts.
 */
export interface DecisionRecord {
  /** Close time of the candle the decision was made on (UTC ms). */
  ts: number;
  symbol: string;
  signal: Signal;
  outcome: Decision["outcome"];
  /** Risk rule that refused, or the plan's action. */
  code: string;
  /** The signal's or the refusal's reason; with notes, the text they follow. */
  reason: string;
  notes: readonly Note[] | undefined;
  /** Client ids of the orders sent. */
  orders: string[];
}

/**
 * Where a simulated run's history goes, as plain objects, the moment it happens: the broker
 * records its fills and the orders it refused at fill time, its ledger the closed trades, the
 * engine its decisions. The recorder may keep them as it likes (RunLog: columns and lazily
 * written texts); it never changes them, and whoever hands it an object may not change it after.
 */
export interface RunRecorder {
  fill(f: Fill): void;
  trade(t: Trade): void;
  refusal(r: OrderRefusal): void;
  decision(d: DecisionRecord): void;
}
