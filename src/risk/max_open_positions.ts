// Rule max_open_positions: at most so many positions open at once, across all symbols.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { refuse, type RiskContext } from "./types.ts";

/**
 * Refuses when the positions open in other symbols already reach `maxOpenPositions`. This
 * symbol's own position is not counted: an entry here is flat or a flip, which closes it first.
 */
export function maxOpenPositions(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  let n = 0; // counted without a filtered copy: this runs on every entry
  for (const p of ctx.openPositions) if (p.symbol !== ctx.symbol) n++;
  if (n < config.maxOpenPositions) return undefined;
  const others = ctx.openPositions.filter((p) => p.symbol !== ctx.symbol);
  return refuse(
    "max_open_positions",
    `${n} position${n === 1 ? " is" : "s are"} open (${others.map((p) => p.symbol).join(", ")}), ` +
      `the maximum is ${config.maxOpenPositions}`,
  );
}
