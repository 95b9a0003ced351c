// grid: range trading on evenly spaced levels, one level at a time (the engine nets one position).

import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";
import { fmt } from "../src/strategy/format.ts";
import { crossedDown, crossedUp, gridLevels, priceRange } from "../src/strategy/grid_levels.ts";

/** Parameters of grid. */
export const params = z.object({
  lower: z.number().min(0).max(1e12).default(0)
    .describe("Bottom of the range (0: the lowest low of the first range_bars candles)"),
  upper: z.number().min(0).max(1e12).default(0)
    .describe("Top of the range (0: the highest high of the first range_bars candles)"),
  levels: z.number().int().min(2).max(200).default(10)
    .describe("Grid lines, evenly spaced from lower to upper (both included)"),
  range_bars: z.number().int().min(2).max(100_000).default(100)
    .describe("Candles the range is measured on when lower or upper is 0"),
  sl_pct: z.number().min(0.05).max(50).default(1)
    .describe("Stop this % beyond the range (below lower for longs, above upper for shorts)"),
}).refine((p) => p.lower === 0 || p.upper === 0 || p.lower < p.upper, {
  message: "lower must be smaller than upper",
  path: ["lower"],
});

/** Parsed parameters of grid. */
export type GridParams = z.output<typeof params>;

/** True when the range is measured from the data rather than given. */
const derived = (p: GridParams): boolean => p.lower === 0 || p.upper === 0;

/** The grid strategy: its rules are in its description. */
export default defineStrategy({
  name: "grid",
  version: "1.1.0",
  description: "Grid of `levels` lines from lower to upper (a 0 bound is the low/high of the " +
    "first range_bars candles, measured once they have closed). The engine holds one net " +
    "position per symbol, so this is a one-level-at-a-time grid: when FLAT and the close " +
    "crosses down through a line (previous close above it, this close at or below it; the " +
    "lowest such line, never the top one), go long at market with the target at the next line " +
    "up and the stop sl_pct % below the range; shorts mirror it on a cross up (the risk gate " +
    "refuses the side that direction disables). While in a position nothing is signalled: the " +
    "bracket exits it.",
  params,
  warmup: (p) => (derived(p) ? p.range_bars : 1),
  create(p, ctx) {
    let levels: Float64Array | undefined;
    let lower = p.lower;
    let upper = p.upper;
    const init = (): Float64Array => {
      if (derived(p)) {
        const d = ctx.base.data;
        const [lo, hi] = priceRange(d.low, d.high, p.range_bars);
        if (p.lower === 0) lower = lo;
        if (p.upper === 0) upper = hi;
      }
      return lower < upper ? gridLevels(lower, upper, p.levels) : new Float64Array(0);
    };
    return {
      onCandle(i) {
        if (i < 1 || (derived(p) && i < p.range_bars)) return null;
        const lv = levels ??= init();
        if (lv.length < 2) return null;
        const close = ctx.base.data.close;
        const prev = close[i - 1];
        const c = close[i];
        const n = lv.length;
        const range = (): string => `range ${fmt(lower)}..${fmt(upper)}`;
        // a close below the previous one can only cross lines down, one above it only up
        if (c < prev) {
          const k = crossedDown(lv, prev, c, n - 2);
          const sl = lower * (1 - p.sl_pct / 100);
          if (k >= 0 && c > sl && !ctx.position()) {
            const tp = lv[k + 1];
            return {
              side: "long",
              sl,
              tp,
              confidence: 1,
              reason: `close ${fmt(c)} crossed down through grid line ${k + 1}/${n} at ` +
                `${fmt(lv[k])} (${range()}); target the next line ${fmt(tp)}, stop ${fmt(sl)} ` +
                `${fmt(p.sl_pct)}% below the range`,
            };
          }
        } else if (c > prev) {
          const k = crossedUp(lv, prev, c, 1);
          const sl = upper * (1 + p.sl_pct / 100);
          if (k >= 0 && c < sl && !ctx.position()) {
            const tp = lv[k - 1];
            return {
              side: "short",
              sl,
              tp,
              confidence: 1,
              reason: `close ${fmt(c)} crossed up through grid line ${k + 1}/${n} at ` +
                `${fmt(lv[k])} (${range()}); target the next line ${fmt(tp)}, stop ${fmt(sl)} ` +
                `${fmt(p.sl_pct)}% above the range`,
            };
          }
        }
        return null;
      },
    };
  },
});
