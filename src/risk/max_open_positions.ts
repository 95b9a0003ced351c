// Rule max_open_positions: at most so many positions open at once, across all symbols.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { refuse, type RiskContext } from "./types.ts";

/**
 * Refuses when the positions open in other symbols already reach `maxOpenPositions`. This
 * symbol's own position is not counted: an entry here is flat or a flip, which closes it first.
 */
export function maxOpenPositions(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const others = ctx.openPositions.filter((p) => p.symbol !== ctx.symbol);
  if (others.length < config.maxOpenPositions) return undefined;
  const n = others.length;
  return refuse(
    "max_open_positions",
    `${n} position${n === 1 ? " is" : "s are"} open (${others.map((p) => p.symbol).join(", ")}), ` +
      `the maximum is ${config.maxOpenPositions}`,
  );
}
