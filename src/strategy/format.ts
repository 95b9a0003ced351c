// Number formatting for signal reasons: short, stable, and readable for any price scale.

import { fmtNum } from "../core/format.ts";

/**
 * A number as it should read in a reason: six significant digits, no exponent for ordinary
 * prices, trailing zeros dropped (30123.456 → "30123.5", 0.000123456 → "0.000123456").
 *
 * @example
 * ```ts
 * fmt(101.2); // "101.2"
 * ```
 */
export function fmt(x: number): string {
  return fmtNum(x, 6);
}

/** An oscillator value (RSI and the like) with one decimal: 55.06 → "55.1". */
export function fmt1(x: number): string {
  return x.toFixed(1);
}
