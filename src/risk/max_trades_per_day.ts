// Rule max_trades_per_day: at most so many entries per UTC day.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { iso, nextUtcMidnight } from "./numbers.ts";
import { refuse, type RiskContext } from "./types.ts";

/** Refuses when `ctx.tradesToday` (entries since 00:00 UTC) has reached `maxTradesPerDay`. */
export function maxTradesPerDay(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const max = config.maxTradesPerDay;
  if (max === undefined || ctx.tradesToday < max) return undefined;
  return refuse(
    "max_trades_per_day",
    `${ctx.tradesToday} entries today reached the maximum ${max} per UTC day; ` +
      `entries are allowed again from ${iso(nextUtcMidnight(ctx.ts))}`,
  );
}
