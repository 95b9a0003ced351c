// Decision records: what the engine reports for every signal, and how their texts are made.

import type { Signal } from "../core/trading.ts";

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
export function joinReason(signalReason: string, notes: readonly string[]): string {
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
  #note = "";
  #reason = "";

  /** `joinReason(signalReason, notes)`, the last one's string when it is the same text. */
  of(signalReason: string, notes: readonly string[]): string {
    if (notes.length !== 1) return joinReason(signalReason, notes);
    if (signalReason !== this.#signalReason || notes[0] !== this.#note) {
      this.#signalReason = signalReason;
      this.#note = notes[0];
      this.#reason = joinReason(signalReason, notes);
    }
    return this.#reason;
  }
}
