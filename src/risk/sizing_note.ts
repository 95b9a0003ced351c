// The sizing note of an entry: its numbers kept as they are, its sentence written when read.

import { num, pct } from "./numbers.ts";

/** What every sizing note of one gate shares: the size mode, the size and the taker fee. */
interface SizingBasis {
  readonly mode: "risk" | "equity";
  readonly size: number;
  readonly takerFee: number;
}

/** Numbers a note keeps: equity, price, stop distance (NaN: equity mode), qty, balance. */
const FIELDS = 5;

/** Notes the first block of numbers holds; each next one holds twice as many, up to BLOCK_MAX. */
const BLOCK_MIN = 64;
const BLOCK_MAX = 2048;

/**
 * The numbers of many sizing notes, five a note, in blocks of one Float64Array each. A backtest
 * keeps every decision, and with it every entry's note: as five boxed doubles in each note they
 * were a good part of what the garbage collector had to copy; here a note is a block and an
 * index. A block lives as long as one of its notes does (a live bot's gate makes notes forever,
 * and writes them out at once: its old blocks go).
 */
export class SizingNotes {
  #block = new Float64Array(FIELDS * BLOCK_MIN);
  #at = 0;
  #basis: SizingBasis | undefined;

  /** A note of these numbers (the notional is `qty * price`, as the estimate computes it). */
  note(
    mode: "risk" | "equity",
    size: number,
    takerFee: number,
    equity: number,
    price: number,
    stopDistance: number,
    qty: number,
    balance: number,
  ): SizingNote {
    let b = this.#basis;
    if (b === undefined || b.mode !== mode || b.size !== size || b.takerFee !== takerFee) {
      b = this.#basis = { mode, size, takerFee };
    }
    if (this.#at === this.#block.length) {
      this.#block = new Float64Array(Math.min(2 * this.#block.length, FIELDS * BLOCK_MAX));
      this.#at = 0;
    }
    const v = this.#block;
    const at = this.#at;
    v[at] = equity;
    v[at + 1] = price;
    v[at + 2] = stopDistance;
    v[at + 3] = qty;
    v[at + 4] = balance;
    this.#at = at + FIELDS;
    return { toString: sizingText, toJSON: sizingText, block: v, at, basis: b, text: undefined };
  }
}

/**
 * "size: 100% of equity 10000 at 42000 with taker fee 0.1%: qty ≈ …". Every entry has one, and
 * a backtest or an optimiser's trial makes thousands of entries whose reasons nobody reads:
 * writing its numbers as text took a quarter of an entry's cost. It keeps them as numbers (in a
 * block of {@link SizingNotes}), and `toString` (which `String(note)` and `[…].join` call)
 * writes the sentence, the same sentence every time.
 *
 * Notes are object literals made in one place (see {@link SizingNotes.note}), not class
 * instances: V8 then sees that nearly all of them live as long as the run and allocates them
 * with the long-lived objects, instead of copying each one twice in the young generation.
 */
export interface SizingNote {
  /** The sentence (made on the first call, then the same string). */
  toString(): string;
  /** The sentence, for `JSON.stringify`. */
  toJSON(): string;
  /** `block[at..at+5)` holds its numbers (equity, price, stop distance, qty, balance). */
  readonly block: Float64Array;
  readonly at: number;
  readonly basis: SizingBasis;
  /** The sentence once written. */
  text: string | undefined;
}

/** True when `note` is a sizing note (not a plain string). */
export function isSizingNote(note: Note): note is SizingNote {
  return typeof note !== "string";
}

/** `toString` of every sizing note. */
function sizingText(this: SizingNote): string {
  return this.text ??= writeSizing(this);
}

function writeSizing(note: SizingNote): string {
  const { mode, size, takerFee } = note.basis;
  const v = note.block;
  const at = note.at;
  const e = v[at];
  const price = v[at + 1];
  const qty = v[at + 3];
  const balance = v[at + 4];
  const equityText = num(e);
  const how = mode === "risk"
    ? `risk ${pct(size)} of equity ${equityText} (${num(size * e)}) over the ` +
      `stop distance ${num(v[at + 2])}`
    : `${pct(size)} of equity ${equityText} at ${num(price)} with taker fee ${pct(takerFee)}`;
  // flat, the balance is the equity: its text is not written twice
  const balanceText = balance === e ? equityText : num(balance);
  return `size: ${how}: qty ≈ ${num(qty)} (notional ${num(qty * price)}); balance ${balanceText}`;
}

/** A sentence of a plan for people: a string, or one written when it is read (see SizingNote). */
export type Note = string | SizingNote;
