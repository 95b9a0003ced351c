// Rules max_leverage and max_notional: cap an entry's size (record it), or refuse when no room.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { above, num, ratio } from "./numbers.ts";
import { estimate, type SizedEntry } from "./sizing.ts";
import { refuse, type RiskContext } from "./types.ts";

/** `entry` with its size replaced by an equity fraction (a fill-time cap), and why. */
function capTo(ctx: RiskContext, entry: SizedEntry, fraction: number, why: string): SizedEntry {
  const size = { kind: "equity", fraction } as const;
  const est = estimate(size, entry.estimate.price, ctx.equity, ctx.takerFee);
  const becomes = entry.size.kind !== "equity" ? "; the size becomes an equity fraction" : "";
  return {
    ...entry,
    size,
    estimate: est,
    capped: [...entry.capped, `${why}: capped to notional ${num(est.notional)}${becomes}`],
  };
}

/**
 * Refuses when the account's leverage (`ctx.leverage`) is above `maxLeverage`, or when positions
 * open in other symbols (valued at entry) leave no room under `leverage × equity`. Otherwise caps
 * the entry so that its cost (notional plus the taker fee) fits in that room.
 */
export function maxLeverage(
  ctx: RiskContext,
  config: RiskConfig,
  entry: SizedEntry,
): SizedEntry | Refusal {
  const max = config.maxLeverage;
  if (above(ctx.leverage, max)) {
    return refuse(
      "max_leverage",
      `leverage ${ratio(ctx.leverage)}x is above the maximum ${ratio(max)}x; lower the ` +
        `account's leverage or raise maxLeverage`,
    );
  }
  const lev = Math.min(ctx.leverage, max);
  let used = 0; // summed in order, as a filter and reduce would (without their copies)
  for (const p of ctx.openPositions) {
    if (p.symbol !== ctx.symbol) used += Math.abs(p.qty) * p.entryPrice;
  }
  const room = lev * ctx.equity - used;
  if (!(room > 0)) {
    const limit = lev < max ? `${ratio(lev)}x (the account's leverage)` : `${ratio(lev)}x`;
    return refuse(
      "max_leverage",
      `positions open in other symbols are worth ${num(used)} (${ratio(used / ctx.equity)}x of ` +
        `equity ${num(ctx.equity)}), the maximum is ${limit}: no room for a new position`,
    );
  }
  const cost = entry.estimate.notional * (1 + ctx.takerFee);
  if (!above(cost, room)) return entry;
  const openElsewhere = used > 0 ? ` with ${num(used)} open in other symbols` : "";
  const limit = lev < max ? `${ratio(lev)}x (the account's leverage)` : `${ratio(lev)}x`;
  return capTo(
    ctx,
    entry,
    room / ctx.equity,
    `max_leverage: notional ${num(entry.estimate.notional)} (fee included ` +
      `${ratio((cost + used) / ctx.equity)}x of equity ${num(ctx.equity)}${openElsewhere}) ` +
      `is above the maximum ${limit}`,
  );
}

/** Caps the entry's notional (decision-time estimate) to `maxNotional`; never refuses. */
export function maxNotional(ctx: RiskContext, config: RiskConfig, entry: SizedEntry): SizedEntry {
  const max = config.maxNotional;
  if (max === undefined || !above(entry.estimate.notional, max)) return entry;
  return capTo(
    ctx,
    entry,
    (max * (1 + ctx.takerFee)) / ctx.equity,
    `max_notional: notional ${num(entry.estimate.notional)} is above the maximum ${num(max)}`,
  );
}
