// Rule daily_loss_limit: no new entries once today's loss reaches a fraction of the day's start.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { atLeast, iso, nextUtcMidnight, num, pct } from "./numbers.ts";
import { refuse, type RiskContext } from "./types.ts";

/**
 * Refuses when equity is `dailyLossLimit` or more below `ctx.dayStartEquity` (equity at 00:00
 * UTC today). The engine resets that reference at each 00:00 UTC, which lifts the limit.
 */
export function dailyLoss(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const limit = config.dailyLossLimit;
  if (limit === undefined) return undefined;
  const loss = (ctx.dayStartEquity - ctx.equity) / ctx.dayStartEquity;
  if (!atLeast(loss, limit)) return undefined;
  return refuse(
    "daily_loss_limit",
    `daily loss ${pct(loss)} (equity ${num(ctx.equity)}, at 00:00 UTC ${
      num(ctx.dayStartEquity)
    }) ` +
      `reached the limit ${pct(limit)}; entries are allowed again from ${
        iso(nextUtcMidnight(ctx.ts))
      }`,
  );
}
