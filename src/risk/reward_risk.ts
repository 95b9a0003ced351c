// Rule min_reward_risk: the target must be at least so many times as far as the stop.

import type { PositionSide, Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { atLeast, num, ratio } from "./numbers.ts";
import { entryPoint, refuse, type RiskContext } from "./types.ts";

/**
 * Reward:risk of an entry, |tp − entry| / |entry − sl|, or undefined when the stop or the target
 * is missing or not on its proper side of the entry (that is for the sizing rule to refuse).
 */
export function rewardRisk(
  side: PositionSide,
  entry: number,
  sl: number | undefined,
  tp: number | undefined,
): number | undefined {
  if (sl === undefined || tp === undefined) return undefined;
  const dir = side === "long" ? 1 : -1;
  const reward = (tp - entry) * dir;
  const risk = (entry - sl) * dir;
  if (!(reward > 0 && risk > 0)) return undefined;
  return reward / risk;
}

/**
 * Refuses an entry whose reward:risk is below `minRewardRisk` (equal passes); with a minimum
 * set, the signal needs both sl and tp. Market entries are measured from `ctx.price`.
 */
export function minRewardRisk(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const min = config.minRewardRisk;
  if (min === undefined) return undefined;
  const { sl, tp } = ctx.signal;
  if (sl === undefined || tp === undefined) {
    const missing = [sl === undefined ? "stop-loss" : "", tp === undefined ? "target" : ""]
      .filter(Boolean).join(" and ");
    return refuse(
      "min_reward_risk",
      `reward:risk needs a stop-loss and a target (minimum ${
        ratio(min)
      }); the signal has no ${missing}`,
    );
  }
  const entry = entryPoint(ctx).price;
  const rr = rewardRisk(ctx.signal.side === "short" ? "short" : "long", entry, sl, tp);
  if (rr === undefined || atLeast(rr, min)) return undefined;
  return refuse(
    "min_reward_risk",
    `reward:risk ${ratio(rr)} is below the minimum ${ratio(min)} ` +
      `(entry ${num(entry)}, stop ${num(sl)}, target ${num(tp)})`,
  );
}
