// dca: scheduled buys every interval_bars candles, with an optional take-profit on the average entry.

import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";
import { timeframeMs } from "../src/core/timeframe.ts";
import { fmt } from "../src/strategy/format.ts";

/** Parameters of dca. */
export const params = z.object({
  interval_bars: z.number().int().min(1).max(100_000).default(24)
    .describe("Buy on every candle whose number since 1970 is a multiple of this"),
  tp_pct: z.number().min(0).max(1000).default(0)
    .describe("Exit when the close is this % beyond the average entry (0: never)"),
});

/** Parsed parameters of dca. */
export type DcaParams = z.output<typeof params>;

/** The dca strategy: its rules are in its description. */
export default defineStrategy({
  name: "dca",
  version: "1.0.0",
  description: "Dollar-cost averaging on a schedule: on every candle whose open time is a " +
    "multiple of interval_bars candles since 1970-01-01 (so a restart keeps the schedule), a " +
    "market buy when FLAT. With tp_pct > 0, an exit when the close is tp_pct % above the " +
    "position's average entry. No stop. direction short sells on the schedule instead and takes " +
    "profit tp_pct % below. Scaling in while in a position is not possible yet (see the source).",
  params,
  warmup: () => 0,
  create(p, ctx) {
    const tfMs = timeframeMs(ctx.base.timeframe);
    // The side it accumulates (a schedule has no side of its own): the one direction allows,
    // long when both are. The risk gate still enforces direction, as for every strategy.
    const side = p.direction === "short" ? "short" : "long";
    const dir = side === "long" ? 1 : -1;
    const target = 1 + (dir * p.tp_pct) / 100;
    return {
      onCandle(i) {
        const d = ctx.base.data;
        const scheduled = Math.floor(d.ts[i] / tfMs) % p.interval_bars === 0;
        if (!scheduled && p.tp_pct === 0) return null;
        const pos = ctx.position();
        if (pos) {
          // TODO(follow-up): true DCA scales in here — another buy on every scheduled candle
          // while in the position, with ctx.position().entryPrice as the running average. The
          // risk gate refuses a same-side signal as "already_in_position"; scaling in needs an
          // "add" action in the risk gate (and the engine) first. Until then one buy per cycle.
          if (p.tp_pct === 0 || pos.side !== side) return null;
          const c = d.close[i];
          const level = pos.entryPrice * target;
          if ((c - level) * dir < 0) return null;
          return {
            side: "exit",
            confidence: 1,
            reason:
              `close ${fmt(c)} is ${fmt(p.tp_pct)}% or more ${dir === 1 ? "above" : "below"} ` +
              `the average entry ${fmt(pos.entryPrice)} (target ${fmt(level)}): take profit`,
          };
        }
        if (!scheduled) return null;
        return {
          side,
          confidence: 1,
          reason: `scheduled ${side === "long" ? "buy" : "sell"} (every ${p.interval_bars} ` +
            `candles) at close ${fmt(d.close[i])}, flat`,
        };
      },
    };
  },
});
