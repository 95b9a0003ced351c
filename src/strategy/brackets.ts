// Stop-loss and take-profit prices from percentages of a reference price.

import type { PositionSide } from "../core/trading.ts";

/** Absolute stop and target prices. */
export interface Bracket {
  sl: number;
  tp: number;
}

/**
 * Stop `slPct` % and target `tpPct` % away from `price`, on the proper sides for `side`
 * (long: stop below, target above; short: the reverse). Percentages, not fractions: 2 = 2 %.
 *
 * @example
 * ```ts
 * pctBracket("long", 100, 2, 4); // { sl: 98, tp: 104 }
 * ```
 */
export function pctBracket(
  side: PositionSide,
  price: number,
  slPct: number,
  tpPct: number,
): Bracket {
  const dir = side === "long" ? 1 : -1;
  return { sl: price * (1 - (dir * slPct) / 100), tp: price * (1 + (dir * tpPct) / 100) };
}
