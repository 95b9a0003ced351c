// Rule min_confidence: the signal must be at least this confident.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { ratio } from "./numbers.ts";
import { refuse, type RiskContext } from "./types.ts";

/** Refuses when `signal.confidence` is below `minConfidence` (equal passes). */
export function minConfidence(ctx: RiskContext, config: RiskConfig): Refusal | undefined {
  const c = ctx.signal.confidence;
  if (c >= config.minConfidence) return undefined;
  return refuse(
    "min_confidence",
    `confidence ${ratio(c)} is below the minimum ${ratio(config.minConfidence)}`,
  );
}
