// Decision records: what the engine reports for every signal, and how their texts are made.

import { type DecisionCount, sortCounts } from "../core/decision_summary.ts";
import type { Signal } from "../core/trading.ts";
import type { Note } from "../risk/sizing_note.ts";
import { room } from "../account/arrays.ts";

/** One recorded decision: a signal and what became of it. */
export interface Decision {
  /** Close time of the candle the decision was made on (UTC ms). */
  ts: number;
  symbol: string;
  signal: Signal;
  /** "cancelled": a resting entry was withdrawn (expired, or an exit signal while flat). */
  outcome: "order" | "refused" | "cancelled";
  /** Risk rule that refused, or the plan's action. */
  code: string;
  reason: string;
  /** Client ids of the orders sent. */
  orders: string[];
}

/**
 * The signal's reason followed by the plan's notes, "; "-separated. `join` makes one flat string:
 * decisions are kept for the whole run, and a chain of concatenations would keep every piece.
 */
export function joinReason(signalReason: string, notes: readonly Note[]): string {
  if (notes.length === 0) return signalReason;
  // one note (every plain entry): a pair literal, without the spread's iteration
  if (notes.length === 1) return [signalReason, notes[0]].join("; ");
  return [signalReason, ...notes].join("; ");
}

/** The client ids of a decision's orders, in an array of just their number (kept per decision). */
export function orderIds(exitId: string | undefined, openId: string | undefined): string[] {
  if (exitId === undefined) return openId === undefined ? [] : [openId];
  return openId === undefined ? [exitId] : [exitId, openId];
}

/**
 * Reasons of close decisions. Exits repeat their text (one signal reason, one note), and every
 * decision is kept for the whole run: a repeat of the last reason shares its string.
 */
export class CloseReasons {
  #signalReason = "";
  #note: Note = "";
  #reason = "";

  /** `joinReason(signalReason, notes)`, the last one's string when it is the same text. */
  of(signalReason: string, notes: readonly Note[]): string {
    if (notes.length !== 1) return joinReason(signalReason, notes);
    if (signalReason !== this.#signalReason || notes[0] !== this.#note) {
      this.#signalReason = signalReason;
      this.#note = notes[0];
      this.#reason = joinReason(signalReason, notes);
    }
    return this.#reason;
  }
}

function isNoteList(x: readonly Note[] | Note): x is readonly Note[] {
  return Array.isArray(x);
}

/**
 * One decision as the log keeps it: pointers only (its time is in the log's Float64Array, so
 * no boxed double). The reason is written, and the orders' array made, when the log is read.
 */
interface LoggedDecision {
  readonly symbol: string;
  readonly signal: Signal;
  readonly outcome: Decision["outcome"];
  readonly code: string;
  /** The whole reason, or with notes the signal's reason they follow. */
  readonly reason: string;
  /** The notes that follow the reason: one note alone, without its array. */
  readonly notes: readonly Note[] | Note | undefined;
  readonly exitId: string | undefined;
  readonly openId: string | undefined;
  /** The orders of a decision that is neither an exit nor an entry (a cancellation). */
  readonly orders: string[] | undefined;
}

/**
 * Decisions kept as they are made, with their reason texts written when they are read. A
 * backtest keeps every decision of the run, and an optimiser's trial reads none of their texts:
 * the sizing note's numbers become a sentence (see SizingNote) only when {@link all} is called.
 * One small object a decision (a literal: see `add`): measured, that cost a third of what a
 * column per field did (eight pushes). The decisions it builds are equal to those the engine
 * hands to `onDecision`.
 */
export class DecisionLog {
  #ts = new Float64Array(64);
  readonly #rows: LoggedDecision[] = [];
  readonly #built: Decision[] = [];
  readonly #texts = new CloseReasons();

  /** Number of decisions. */
  get length(): number {
    return this.#rows.length;
  }

  /**
   * Appends one decision; `notes` (kept, not copied) follow `reason` when given. Its orders are
   * `exitId` then `openId` (those given), or `orders` when they are neither.
   */
  add(
    ts: number,
    symbol: string,
    signal: Signal,
    outcome: Decision["outcome"],
    code: string,
    reason: string,
    notes: readonly Note[] | undefined,
    exitId: string | undefined,
    openId: string | undefined,
    orders?: string[],
  ): void {
    const n = this.#rows.length;
    this.#ts = room(this.#ts, n);
    this.#ts[n] = ts;
    // one note (every entry's sizing note) is kept without its array: one object less to keep
    const kept = notes !== undefined && notes.length === 1 ? notes[0] : notes;
    // a literal, not `new`: V8 sees that nearly every one lives as long as the run and
    // allocates them with the long-lived objects (no copying through the young generation)
    this.#rows.push({ symbol, signal, outcome, code, reason, notes: kept, exitId, openId, orders });
  }

  /** How many decisions ended how: one row per outcome and code (see core/decision_summary.ts). */
  summary(): DecisionCount[] {
    const counts = new Map<string, DecisionCount>();
    for (let k = 0; k < this.#rows.length; k++) {
      const r = this.#rows[k];
      const key = `${r.outcome}:${r.code}`;
      const c = counts.get(key);
      if (c === undefined) counts.set(key, { outcome: r.outcome, code: r.code, count: 1 });
      else c.count++;
    }
    return sortCounts([...counts.values()]);
  }

  /** Every decision, in order (built once each, reasons written then). */
  all(): readonly Decision[] {
    const out = this.#built;
    for (let k = out.length; k < this.#rows.length; k++) {
      const r = this.#rows[k];
      out.push({
        ts: this.#ts[k],
        symbol: r.symbol,
        signal: r.signal,
        outcome: r.outcome,
        code: r.code,
        reason: r.notes === undefined
          ? r.reason
          : this.#texts.of(r.reason, isNoteList(r.notes) ? r.notes : [r.notes]),
        orders: r.orders ?? orderIds(r.exitId, r.openId),
      });
    }
    return out;
  }
}

/** Where an engine's decisions go: its log (reasons written when read) and `onDecision`. */
export class DecisionOutlet {
  readonly #closeReasons = new CloseReasons();

  constructor(
    readonly log: DecisionLog | undefined,
    readonly onDecision: ((d: Decision) => void) | undefined,
  ) {}

  /**
   * Reports one decision: to the log as it is, and to `onDecision` with its reason written out
   * (`notes`, when given, follow `reason`). Its orders: the exit's and the entry's client ids
   * (those given), or `orders` when they are neither.
   */
  record(
    ts: number,
    symbol: string,
    signal: Signal,
    outcome: Decision["outcome"],
    code: string,
    reason: string,
    notes: readonly Note[] | undefined,
    exitId?: string,
    openId?: string,
    orders?: string[],
  ): void {
    const log = this.log;
    if (log !== undefined) {
      log.add(ts, symbol, signal, outcome, code, reason, notes, exitId, openId, orders);
    }
    const on = this.onDecision;
    if (on === undefined) return;
    const text = notes === undefined
      ? reason
      : code === "close"
      ? this.#closeReasons.of(reason, notes)
      : joinReason(reason, notes);
    on({
      ts,
      symbol,
      signal,
      outcome,
      code,
      reason: text,
      orders: orders ?? orderIds(exitId, openId),
    });
  }
}
