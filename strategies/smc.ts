// smc: simplified smart-money concepts: break of structure, then a limit entry at a FVG or order block.

import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";
import type { Signal } from "../src/core/trading.ts";
import { fmt } from "../src/strategy/format.ts";
import { StructureTracker } from "../src/strategy/swings.ts";
import { entryZone } from "../src/strategy/zones.ts";

/** Parameters of smc. */
export const params = z.object({
  swing_len: z.number().int().min(1).max(20).default(3)
    .describe(
      "Bars on each side of a swing high/low (fractal); a swing is known this many bars later",
    ),
  zone: z.enum(["fvg", "ob", "fvg_or_ob"]).default("fvg_or_ob")
    .describe("Entry zone: fair-value gap, order block, or a gap and failing that a block"),
  zone_lookback: z.number().int().min(3).max(500).default(50)
    .describe("Most bars before the break searched for the entry zone"),
  sl_buffer_pct: z.number().min(0).max(5).default(0.1)
    .describe("Stop this % beyond the protecting swing"),
  rr: z.number().min(0.5).max(20).default(3).describe("Target = entry ± rr × (entry − stop)"),
  entry_bars: z.number().int().min(1).max(10_000).default(20)
    .describe("Candles the limit entry may wait for its fill before it is cancelled"),
});

/** Parsed parameters of smc. */
export type SmcParams = z.output<typeof params>;

/** When a zone formed, relative to the break candle. */
const formed = (bars: number): string =>
  bars === 0 ? "formed on the break candle" : `formed ${bars} bar${bars > 1 ? "s" : ""} before`;

/** The smc strategy: its rules are in its description. */
export default defineStrategy({
  name: "smc",
  version: "1.2.0",
  description: "Swings are fractals with swing_len bars each side, known only swing_len bars " +
    "after they form. Bullish break of structure (BOS): the first close above the latest " +
    "confirmed swing high. Entry zone, searched in the leg from the latest confirmed swing low " +
    "(at most zone_lookback bars back): the most recent fair-value gap (low[m] > high[m-2]) " +
    "untouched since it formed (zone fvg, or fvg_or_ob), or the order block, the last down " +
    "candle below the close (zone ob, or fvg_or_ob without a gap). A LIMIT entry at the zone's " +
    "near edge, stop sl_buffer_pct % below that swing low, target rr × risk above the entry. " +
    "Bearish mirrors it. A BOS against an open position with no zone to enter emits an exit.",
  params,
  // The first swing can be confirmed on bar 2 * swing_len; a break needs one more bar.
  warmup: (p) => 2 * p.swing_len + 1,
  create(p, ctx) {
    const tracker = new StructureTracker(p.swing_len);
    const buffer = p.sl_buffer_pct / 100;
    const setup = (i: number, dir: 1 | -1): Signal | null => {
      const d = ctx.base.data;
      const side = dir === 1 ? "long" : "short";
      // Holding that side already: another entry would change nothing (the gate refuses it).
      if (ctx.position()?.side === side) return null;
      const swingIndex = dir === 1 ? tracker.lowIndex : tracker.highIndex;
      const swing = dir === 1 ? tracker.lowPrice : tracker.highPrice;
      const broken = dir === 1 ? tracker.brokenHigh : tracker.brokenLow;
      const bos = `${dir === 1 ? "bullish" : "bearish"} BOS: close ${fmt(d.close[i])} ` +
        `${dir === 1 ? "above swing high" : "below swing low"} ${fmt(broken)}`;
      const exitIfAgainst = (why: string): Signal | null => {
        const held = ctx.position()?.side;
        return held !== undefined && held !== side
          ? { side: "exit", confidence: 1, reason: `${bos}; ${why}; exit` }
          : null;
      };
      if (swingIndex < 0) return exitIfAgainst("no protecting swing");
      const from = Math.max(swingIndex, i - p.zone_lookback);
      const zone = entryZone(d, from, i, dir, p.zone);
      if (!zone) return exitIfAgainst(`no untouched ${p.zone} in the leg`);
      const sl = swing * (1 - dir * buffer);
      const risk = (zone.entry - sl) * dir;
      if (!(risk > 0) || !((d.close[i] - zone.entry) * dir > 0)) {
        return exitIfAgainst(`${zone.kind} at ${fmt(zone.entry)} does not fit the swing`);
      }
      const tp = zone.entry + dir * p.rr * risk;
      const name = zone.kind === "fvg" ? "fair-value gap" : "order block";
      return {
        side,
        entry: zone.entry,
        sl,
        tp,
        confidence: 1,
        validBars: p.entry_bars,
        reason: `${bos}; ${name} ${fmt(Math.min(zone.entry, zone.far))}..` +
          `${fmt(Math.max(zone.entry, zone.far))} (${formed(i - zone.index)}), limit at ` +
          `${fmt(zone.entry)}; stop ${fmt(sl)} beyond swing ${dir === 1 ? "low" : "high"} ` +
          `${fmt(swing)}; target ${fmt(tp)} at ${fmt(p.rr)}R`,
      };
    };
    return {
      onCandle(i) {
        tracker.advanceTo(ctx.base.data, i);
        if (tracker.bullBreakAt === i) return setup(i, 1);
        if (tracker.bearBreakAt === i) return setup(i, -1);
        return null;
      },
    };
  },
});
