// Rule stop_required: entries without a stop-loss are refused when a stop is required.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { refuse, type RiskContext } from "./types.ts";

/**
 * Refuses an entry without `signal.sl` (or `slPct`) when `requireStop` is on (always in risk mode, where the
 * stop distance is what the size is computed from, unless the signal sets its own size).
 */
export function stopRequired(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  if (ctx.signal.sl !== undefined || ctx.signal.slPct !== undefined) return undefined;
  // A signal that sets its own size is not sized by its stop distance.
  if (config.sizeMode === "risk" && ctx.signal.size === undefined) {
    return refuse("stop_required", "risk sizing needs a stop-loss, and the signal has none");
  }
  if (!config.requireStop) return undefined;
  return refuse("stop_required", "a stop-loss is required (requireStop), and the signal has none");
}
