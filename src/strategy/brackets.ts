// Stop-loss and take-profit from percentages: of the entry's fill (placed by the broker when it
// fills) or of a reference price such as the signal candle's close.

import { z } from "zod";
import type { PositionSide } from "../core/trading.ts";

/**
 * The parameter choosing what a strategy's `sl_pct` / `tp_pct` are measured from: "fill" (the
 * price the entry fills at, as freqtrade's stoploss or TradingView's strategy.exit(loss=,
 * profit=); the default) or "close" (the signal candle's close, known when deciding).
 */
export const slTpFromParam = z.enum(["fill", "close"]).default("fill")
  .describe('What sl_pct / tp_pct are measured from: "fill" (the entry\'s fill price) or "close"');

/** Stop and target in percent of the fill, placed by the broker when the entry fills. */
export interface PctBracket {
  slPct: number;
  tpPct: number;
}

/**
 * Stop `slPct` % and target `tpPct` % from the entry: `{ slPct, tpPct }` for the broker to place
 * from the fill price ("fill"), or absolute prices from `close` ("close").
 *
 * @example
 * ```ts
 * exitsFrom("fill", "long", 100, 2, 4); // { slPct: 2, tpPct: 4 }
 * exitsFrom("close", "long", 100, 2, 4); // { sl: 98, tp: 104 }
 * ```
 */
export function exitsFrom(
  from: "fill" | "close",
  side: PositionSide,
  close: number,
  slPct: number,
  tpPct: number,
): Bracket | PctBracket {
  return from === "fill" ? { slPct, tpPct } : pctBracket(side, close, slPct, tpPct);
}

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
