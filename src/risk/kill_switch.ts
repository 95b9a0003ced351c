// Rule kill_switch: while the operator's kill switch is on, no new entries.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { refuse, type RiskContext } from "./types.ts";

/** Refuses every entry while `ctx.killSwitch` is on (exits are never sent through this rule). */
export function killSwitch(ctx: RiskContext, _config: RiskConfig): Refusal | undefined {
  if (!ctx.killSwitch) return undefined;
  return refuse("kill_switch", "the kill switch is on: no new entries (exits are still allowed)");
}
