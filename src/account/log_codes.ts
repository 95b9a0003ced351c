// Small integer codes for the strings the run logs keep per row: symbols and exit reasons.

import { EXIT_REASONS, type ExitReason } from "../core/trading.ts";

/** Exit reasons by code: 0 none, then EXIT_REASONS in order. */
const REASONS: readonly (ExitReason | undefined)[] = [undefined, ...EXIT_REASONS];
const CODES = new Map<ExitReason | undefined, number>(REASONS.map((r, k) => [r, k]));

/** The code of `r` (0 for none). */
export function reasonCode(r: ExitReason | undefined): number {
  return CODES.get(r)!;
}

/** The exit reason of `code` (see {@link reasonCode}). */
export function reasonOf(code: number): ExitReason | undefined {
  return REASONS[code];
}

/**
 * Names (symbols) by number, in the order first seen. A run has one or a few symbols, so a log
 * keeps a small number per row instead of a pointer; the last name asked for is remembered.
 */
export class NameTable {
  readonly #names: string[] = [];
  #last = "";
  #lastCode = -1;

  /** The number of `name` (added on first sight). */
  code(name: string): number {
    if (name === this.#last) return this.#lastCode;
    let code = this.#names.indexOf(name);
    if (code < 0) code = this.#names.push(name) - 1;
    this.#last = name;
    this.#lastCode = code;
    return code;
  }

  /** The name of number `code`. */
  name(code: number): string {
    return this.#names[code];
  }
}
