// The sizing note of an entry: the numbers its size came from, and the sentence they make.

import { num, pct } from "./numbers.ts";

/**
 * The numbers an entry was sized from, as the gate used them: "size: 100% of equity 10000 at
 * 42000 with taker fee 0.1%: qty ≈ …" once written ({@link noteText}). A plain object: a backtest
 * keeps its decisions' notes in a compact form of its own and writes their sentences when read.
 */
export interface SizingNote {
  readonly kind: "sizing";
  readonly mode: "risk" | "equity";
  /** The configured size: a fraction of equity, or of equity to risk at the stop. */
  readonly size: number;
  readonly takerFee: number;
  readonly equity: number;
  /** The entry's reference price (the limit, else the decision's close). */
  readonly price: number;
  /** Distance from the price to the stop; NaN without one. */
  readonly stopDistance: number;
  /** The estimated quantity. */
  readonly qty: number;
  readonly balance: number;
}

/** A sentence of a plan for people: a string, or the numbers of a sizing (see noteText). */
export type Note = string | SizingNote;

/** True when `note` is a sizing note (not a plain string). */
export function isSizingNote(note: Note): note is SizingNote {
  return typeof note !== "string";
}

/**
 * The sentence of `note`: a string as it is; a sizing note's numbers written out, the same
 * text for the same numbers.
 *
 * @example
 * ```ts
 * noteText("flip: close the long first"); // the same string
 * noteText(plan.notes[0]); // "size: 100% of equity 1000 at 100 with taker fee 0.1%: qty ≈ …"
 * ```
 */
export function noteText(note: Note): string {
  if (typeof note === "string") return note;
  const { mode, size, takerFee, equity, price, qty, balance } = note;
  const equityText = num(equity);
  const how = mode === "risk"
    ? `risk ${pct(size)} of equity ${equityText} (${num(size * equity)}) over the ` +
      `stop distance ${num(note.stopDistance)}`
    : `${pct(size)} of equity ${equityText} at ${num(price)} with taker fee ${pct(takerFee)}`;
  // flat, the balance is the equity: its text is not written twice
  const balanceText = balance === equity ? equityText : num(balance);
  return `size: ${how}: qty ≈ ${num(qty)} (notional ${num(qty * price)}); balance ${balanceText}`;
}
