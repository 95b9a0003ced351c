// A run's decisions kept as they are made, and how their reason texts are written.

import { type Decision, type DecisionCount, sortCounts } from "../core/decision_summary.ts";
import { room } from "../account/arrays.ts";
import { type Note, noteText, type SizingNote } from "../risk/sizing_note.ts";
import type { DecisionRecord } from "./run_recorder.ts";

/**
 * The signal's reason followed by the plan's notes, "; "-separated. `join` makes one flat string:
 * decisions are kept for the whole run, and a chain of concatenations would keep every piece.
 */
export function joinReason(signalReason: string, notes: readonly Note[]): string {
  if (notes.length === 0) return signalReason;
  // one note (every plain entry): a pair literal, without the map's array
  if (notes.length === 1) return [signalReason, noteText(notes[0])].join("; ");
  return [signalReason, ...notes.map(noteText)].join("; ");
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

/** What every sizing note of a run shares (one gate's settings): the mode, size and taker fee. */
interface SizingBasis {
  readonly mode: "risk" | "equity";
  readonly size: number;
  readonly takerFee: number;
}

/**
 * A sizing note as the log keeps it: its five numbers at `block[at..at+5)` (equity, price, stop
 * distance, qty, balance), its sentence once written.
 */
interface KeptSizing {
  readonly block: Float64Array;
  readonly at: number;
  readonly basis: SizingBasis;
  text: string | undefined;
}

/** A note as the log keeps it. */
type KeptNote = string | KeptSizing;

/** Numbers a kept sizing note has in its block. */
const FIELDS = 5;

/** Notes the first block holds; each next one holds twice as many, up to BLOCK_MAX. */
const BLOCK_MIN = 64;
const BLOCK_MAX = 2048;

/**
 * The numbers of a run's sizing notes, five a note, in blocks of one Float64Array each. A
 * backtest keeps every decision, and with it every entry's note: as a SizingNote's boxed doubles
 * they were a good part of what the garbage collector had to copy; here a note is a block and an
 * index, and its sentence is written when it is read.
 */
class SizingBlocks {
  #block = new Float64Array(FIELDS * BLOCK_MIN);
  #at = 0;
  #basis: SizingBasis | undefined;

  /** `n` as kept: its numbers copied into the current block. */
  keep(n: SizingNote): KeptSizing {
    let b = this.#basis;
    if (b === undefined || b.mode !== n.mode || b.size !== n.size || b.takerFee !== n.takerFee) {
      b = this.#basis = { mode: n.mode, size: n.size, takerFee: n.takerFee };
    }
    if (this.#at === this.#block.length) {
      this.#block = new Float64Array(Math.min(2 * this.#block.length, FIELDS * BLOCK_MAX));
      this.#at = 0;
    }
    const v = this.#block;
    const at = this.#at;
    v[at] = n.equity;
    v[at + 1] = n.price;
    v[at + 2] = n.stopDistance;
    v[at + 3] = n.qty;
    v[at + 4] = n.balance;
    this.#at = at + FIELDS;
    return { block: v, at, basis: b, text: undefined };
  }

  /** The kept form of `note` (a string as it is). */
  keepNote(note: Note): KeptNote {
    return typeof note === "string" ? note : this.keep(note);
  }
}

/** The note `k` keeps, as a Note (a sizing note rebuilt from its numbers). */
function noteOf(k: KeptNote): Note {
  if (typeof k === "string") return k;
  const { block: v, at, basis } = k;
  return {
    kind: "sizing",
    mode: basis.mode,
    size: basis.size,
    takerFee: basis.takerFee,
    equity: v[at],
    price: v[at + 1],
    stopDistance: v[at + 2],
    qty: v[at + 3],
    balance: v[at + 4],
  };
}

/** The sentence of a kept note (written once). */
function keptText(k: KeptNote): string {
  return typeof k === "string" ? k : (k.text ??= noteText(noteOf(k)));
}

/**
 * One decision as the log keeps it: pointers only (its time is in the log's Float64Array, so
 * no boxed double). The reason is written when the log is read.
 */
interface LoggedDecision {
  readonly symbol: string;
  readonly signal: DecisionRecord["signal"];
  readonly outcome: Decision["outcome"];
  readonly code: string;
  /** The whole reason, or with notes the reason they follow. */
  readonly reason: string;
  /** The notes that follow the reason: one note alone, without its array. */
  readonly notes: readonly KeptNote[] | KeptNote | undefined;
  readonly orders: string[];
}

/**
 * Decisions kept as the engine records them, with their reason texts written when they are read.
 * A backtest keeps every decision of the run, and an optimiser's trial reads none of their texts:
 * the sizing note's numbers become a sentence (see SizingNote) only when {@link all} is called.
 * The decisions it builds are equal to those the engine hands to `onDecision`.
 */
export class DecisionLog {
  #ts = new Float64Array(64);
  readonly #rows: LoggedDecision[] = [];
  readonly #built: Decision[] = [];
  readonly #sizing = new SizingBlocks();
  /** The last close reason written, shared by the repeats that follow (see CloseReasons). */
  #lastReason = "";
  #lastNote: KeptNote = "";
  #lastText = "";

  /** Number of decisions. */
  get length(): number {
    return this.#rows.length;
  }

  /** Appends one decision (its fields are kept; a sizing note's numbers in a block). */
  add(d: DecisionRecord): void {
    const n = this.#rows.length;
    this.#ts = room(this.#ts, n);
    this.#ts[n] = d.ts;
    const notes = d.notes;
    const sizing = this.#sizing;
    // one note (every entry's sizing note) is kept without its array: one object less to keep
    const kept = notes === undefined
      ? undefined
      : notes.length === 1
      ? sizing.keepNote(notes[0])
      : notes.map((x) => sizing.keepNote(x));
    // a literal, not `new`: V8 sees that nearly every one lives as long as the run and
    // allocates them with the long-lived objects (no copying through the young generation)
    this.#rows.push({
      symbol: d.symbol,
      signal: d.signal,
      outcome: d.outcome,
      code: d.code,
      reason: d.reason,
      notes: kept,
      orders: d.orders,
    });
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
        reason: this.#reasonOf(r),
        orders: r.orders,
      });
    }
    return out;
  }

  /** The reason of `r` followed by its notes; a repeat of the last one-note text shares it. */
  #reasonOf(r: LoggedDecision): string {
    const notes = r.notes;
    if (notes === undefined) return r.reason;
    if (!Array.isArray(notes)) {
      const note = notes as KeptNote;
      if (r.reason !== this.#lastReason || note !== this.#lastNote) {
        this.#lastReason = r.reason;
        this.#lastNote = note;
        this.#lastText = [r.reason, keptText(note)].join("; ");
      }
      return this.#lastText;
    }
    const list = notes as readonly KeptNote[];
    return list.length === 0 ? r.reason : [r.reason, ...list.map(keptText)].join("; ");
  }
}
