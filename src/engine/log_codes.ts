// Small integer codes for the strings the run logs keep per row: symbols and exit reasons.

import type { ExitReason } from "../core/trading.ts";

/** Exit reasons by code (code 0: none). */
const REASONS: readonly (ExitReason | undefined)[] = [
  undefined,
  "tp",
  "sl",
  "trailing",
  "timeout",
  "signal",
  "liquidation",
  "end_of_data",
  "kill_switch",
  "manual",
];

/** The code of `r` (0..9, 0 for none): a switch, no search through a list. */
export function reasonCode(r: ExitReason | undefined): number {
  switch (r) {
    case undefined:
      return 0;
    case "tp":
      return 1;
    case "sl":
      return 2;
    case "trailing":
      return 3;
    case "timeout":
      return 4;
    case "signal":
      return 5;
    case "liquidation":
      return 6;
    case "end_of_data":
      return 7;
    case "kill_switch":
      return 8;
    case "manual":
      return 9;
  }
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
