// Rule min_reward_risk: the target must be at least so many times as far as the stop.

import type { PositionSide, Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { atLeast, num, ratio } from "./numbers.ts";
import { entryPoint, levelsAt, refuse, type RiskContext } from "./types.ts";

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
 * set, the signal needs both a stop and a target (absolute or in percent of the fill). Market
 * entries are measured from `ctx.price`; percentages from the entry estimate (their ratio is
 * the same at any fill price).
 */
export function minRewardRisk(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const min = config.minRewardRisk;
  if (min === undefined) return undefined;
  const s = ctx.signal;
  if (
    (s.sl === undefined && s.slPct === undefined) || (s.tp === undefined && s.tpPct === undefined)
  ) {
    const sl = s.sl ?? s.slPct;
    const tp = s.tp ?? s.tpPct;
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
  const side = s.side === "short" ? "short" : "long";
  const { sl, tp } = levelsAt(s, side, entry);
  const rr = rewardRisk(side, entry, sl, tp);
  if (rr === undefined || atLeast(rr, min)) return undefined;
  return refuse(
    "min_reward_risk",
    `reward:risk ${ratio(rr)} is below the minimum ${ratio(min)} ` +
      `(entry ${num(entry)}, stop ${num(sl!)}, target ${num(tp!)})`,
  );
}
