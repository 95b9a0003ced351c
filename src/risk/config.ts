// RiskConfig: the risk gate's settings as a zod schema with documented defaults, and its parser.

import { z } from "zod";
import { ConfigError } from "../core/errors.ts";

/** Default `size` per sizing mode: risk 1 % of equity per trade, or put all equity in a position. */
export const DEFAULT_SIZE = { risk: 0.01, equity: 1 } as const;

const fields = z.strictObject({
  sizeMode: z.enum(["risk", "equity"]).default("equity").describe(
    'How entries are sized: "risk" (lose `size` of equity if the stop is hit) or "equity" ' +
      '(a position worth `size` of equity). Default "equity".',
  ),
  size: z.number().positive().optional().describe(
    "Risk mode: fraction of equity risked per trade, (0, 1], default 0.01. Equity mode: fraction " +
      "of equity per position (fees included), default 1; above 1 needs maxLeverage.",
  ),
  maxNotional: z.number().positive().optional().describe(
    "Largest position value in quote currency; bigger entries are capped to it. Default none.",
  ),
  maxLeverage: z.number().positive().default(1).describe(
    "Largest leverage: the account's leverage setting may not exceed it, and open positions plus " +
      "the new one (fee included) may not be worth more than maxLeverage × equity (bigger " +
      "entries are capped). Default 1.",
  ),
  maxOpenPositions: z.number().int().min(1).default(1).describe(
    "Most positions open at once, across all symbols. Default 1.",
  ),
  maxTradesPerDay: z.number().int().min(1).optional().describe(
    "Most entries per UTC day. Default no limit.",
  ),
  dailyLossLimit: z.number().gt(0).max(1).optional().describe(
    "No new entries once equity is this fraction below the equity at 00:00 UTC (e.g. 0.05); " +
      "lifts at the next 00:00 UTC. Default none.",
  ),
  maxDrawdown: z.number().gt(0).max(1).optional().describe(
    "Suspend new entries once equity is this fraction below its peak (e.g. 0.2), until trading " +
      "is resumed. Default none.",
  ),
  positionTimeoutMs: z.number().int().positive().optional().describe(
    'Close a position this long after its entry (exit reason "timeout"). Default none.',
  ),
  cooldownMs: z.number().int().positive().optional().describe(
    "After a losing exit, no new entry until this long has passed. Default none.",
  ),
  minRewardRisk: z.number().positive().optional().describe(
    "Smallest |target − entry| / |entry − stop| an entry may have (e.g. 3); entries then need " +
      "both sl and tp. Default none.",
  ),
  requireStop: z.boolean().optional().describe(
    "Refuse entries without a stop-loss. Default false in equity mode, true in risk mode " +
      "(where it cannot be false: risk sizing needs a stop).",
  ),
  minConfidence: z.number().min(0).max(1).default(0).describe(
    "Smallest signal confidence (0..1) an entry may have. Default 0.",
  ),
});

/**
 * The risk gate's settings, validated; mode-dependent defaults (`size`, `requireStop`) are
 * filled in, so a parsed config has them set. Unknown keys are refused (a misspelt limit would
 * otherwise be silently ignored).
 */
export const riskConfigSchema = fields
  .superRefine((c, ctx) => {
    if (c.sizeMode === "risk" && c.size !== undefined && c.size > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["size"],
        message:
          `in risk mode size is the fraction of equity risked per trade; ${c.size} is above 1`,
      });
    }
    if (c.sizeMode === "risk" && c.requireStop === false) {
      ctx.addIssue({
        code: "custom",
        path: ["requireStop"],
        message: "risk sizing needs a stop, so requireStop cannot be false in risk mode",
      });
    }
  })
  .transform((c) => ({
    ...c,
    size: c.size ?? DEFAULT_SIZE[c.sizeMode],
    requireStop: c.requireStop ?? c.sizeMode === "risk",
  }));

/** A validated risk config (what the gate and the rules read). */
export type RiskConfig = z.output<typeof riskConfigSchema>;

/** A risk config as written in a config file or passed on the CLI (defaults may be left out). */
export type RiskConfigInput = z.input<typeof riskConfigSchema>;

/**
 * Validates a risk config and fills in the defaults; throws a ConfigError naming each bad field.
 *
 * @example
 * ```ts
 * const config = parseRiskConfig({ sizeMode: "risk", size: 0.01, minRewardRisk: 3 });
 * ```
 */
export function parseRiskConfig(input: unknown = {}): RiskConfig {
  const res = riskConfigSchema.safeParse(input);
  if (!res.success) {
    const issues = res.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`);
    throw new ConfigError(`Risk config is invalid: ${issues.join("; ")}.`);
  }
  return res.data;
}
