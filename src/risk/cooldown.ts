// Rule cooldown: after a losing exit, no new entry until the cooldown has passed.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { duration, iso } from "./numbers.ts";
import { refuse, type RiskContext } from "./types.ts";

/** Refuses while `ctx.ts` is before `lastLoss.ts + cooldownMs`; exactly at the end is allowed. */
export function cooldown(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const ms = config.cooldownMs;
  if (ms === undefined || ctx.lastLoss === undefined) return undefined;
  const until = ctx.lastLoss.ts + ms;
  if (ctx.ts >= until) return undefined;
  return refuse(
    "cooldown",
    `cooling down after a losing exit at ${iso(ctx.lastLoss.ts)}: no new entry until ` +
      `${iso(until)} (${duration(until - ctx.ts)} left of ${duration(ms)})`,
  );
}
