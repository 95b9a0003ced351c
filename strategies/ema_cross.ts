// ema_cross: long when the fast EMA crosses strictly above the slow one; exit or short on the cross down.

import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";
import { crossSignal } from "../src/strategy/crossover.ts";

/** Parameters of ema_cross. */
export const params = z.object({
  fast_period: z.number().int().min(2).max(200).default(10).describe("Fast EMA length"),
  slow_period: z.number().int().min(3).max(500).default(30).describe("Slow EMA length"),
}).refine((p) => p.fast_period < p.slow_period, {
  message: "fast_period must be smaller than slow_period",
  path: ["fast_period"],
});

export default defineStrategy({
  name: "ema_cross",
  aliases: ["ema_crossover"],
  version: "1.0.0",
  description:
    "Exponential moving average crossover: strictly crossing, signal on the candle close",
  params,
  warmup: (p) => p.slow_period,
  create(p, ctx) {
    const fast = ctx.indicator({ kind: "ema", period: p.fast_period }).values;
    const slow = ctx.indicator({ kind: "ema", period: p.slow_period }).values;
    return { onCandle: (i) => crossSignal(fast, slow, i, "EMA") };
  },
});
