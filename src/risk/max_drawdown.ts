// Rule drawdown_suspended: equity too far below its peak suspends new entries until resumed.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { atLeast, iso, num, pct } from "./numbers.ts";
import { refuse, type RiskContext } from "./types.ts";

/** Why and since when new entries are suspended. */
export interface Suspension {
  /** `ts` of the context that found the drawdown. */
  since: number;
  reason: string;
}

/**
 * Refuses when equity is `maxDrawdown` or more below `peak` (default `ctx.peakEquity`; the gate
 * passes the high since trading was resumed, with `sinceResume`). The gate turns the first such
 * refusal into a {@link Suspension} that lasts until `resume()`.
 */
export function maxDrawdown(
  ctx: Pick<RiskContext, "equity" | "peakEquity">,
  config: RiskConfig,
  peak: number = ctx.peakEquity,
  sinceResume = false,
): Refusal | undefined {
  const limit = config.maxDrawdown;
  if (limit === undefined || !(peak > 0) || !Number.isFinite(ctx.equity)) return undefined;
  const drawdown = (peak - ctx.equity) / peak;
  if (!atLeast(drawdown, limit)) return undefined;
  return refuse(
    "drawdown_suspended",
    `drawdown ${pct(drawdown)} from the peak ${num(peak)}${
      sinceResume ? " since trading resumed" : ""
    } ` +
      `(equity ${num(ctx.equity)}) reached ` +
      `the maximum ${pct(limit)}`,
  );
}

/** The refusal given to every entry while trading is suspended. */
export function suspendedRefusal(s: Suspension): Refusal {
  return refuse(
    "drawdown_suspended",
    `new entries are suspended since ${iso(s.since)}: ${s.reason}; resume trading to lift it`,
  );
}
