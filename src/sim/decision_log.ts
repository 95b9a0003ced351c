// A run's decisions kept as they are made, and how their reason texts are written.

import { type Decision, type DecisionCount, sortCounts } from "../core/decision_summary.ts";
import type { Note } from "../risk/sizing_note.ts";
import type { DecisionRecord } from "./run_recorder.ts";

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

/**
 * Decisions kept as the engine records them, with their reason texts written when they are read.
 * A backtest keeps every decision of the run, and an optimiser's trial reads none of their texts:
 * the sizing note's numbers become a sentence (see SizingNote) only when {@link all} is called.
 * The decisions it builds are equal to those the engine hands to `onDecision`.
 */
export class DecisionLog {
  readonly #rows: DecisionRecord[] = [];
  readonly #built: Decision[] = [];
  readonly #texts = new CloseReasons();

  /** Number of decisions. */
  get length(): number {
    return this.#rows.length;
  }

  /** Appends one decision (kept, not copied). */
  add(d: DecisionRecord): void {
    this.#rows.push(d);
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
        ts: r.ts,
        symbol: r.symbol,
        signal: r.signal,
        outcome: r.outcome,
        code: r.code,
        reason: r.notes === undefined ? r.reason : this.#texts.of(r.reason, r.notes),
        orders: r.orders,
      });
    }
    return out;
  }
}
