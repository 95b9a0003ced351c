// ema_rsi_volume: trend (close vs EMA), momentum (RSI in a band) and volume, voted into one signal.

import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";
import type { PositionSide } from "../src/core/trading.ts";
import { exitsFrom, slTpFromParam } from "../src/strategy/brackets.ts";
import { fmt, fmt1 } from "../src/strategy/format.ts";

/** Parameters of ema_rsi_volume. */
export const params = z.object({
  ema_period: z.number().int().min(2).max(500).default(50).describe("EMA length (trend filter)"),
  rsi_period: z.number().int().min(2).max(100).default(14).describe("RSI length"),
  rsi_low: z.number().min(0).max(100).default(40).describe("Lower edge of the long RSI band"),
  rsi_high: z.number().min(0).max(100).default(70).describe("Upper edge of the long RSI band"),
  volume_period: z.number().int().min(2).max(500).default(20)
    .describe("Bars in the volume average (the bars before the signal candle)"),
  volume_k: z.number().min(0.1).max(10).default(1.5)
    .describe("Volume must exceed this multiple of its average"),
  min_confidence: z.number().min(0.33).max(1).default(1)
    .describe("Least share of the three conditions that must agree (1 = all three)"),
  sl_pct: z.number().min(0.05).max(50).default(2)
    .describe("Stop-loss distance, % of the entry's fill (or of the close: sl_tp_from)"),
  tp_pct: z.number().min(0.05).max(99).default(4)
    .describe("Take-profit distance, % of the entry's fill (or of the close: sl_tp_from)"),
  sl_tp_from: slTpFromParam,
}).refine((p) => p.rsi_low < p.rsi_high, {
  message: "rsi_low must be smaller than rsi_high",
  path: ["rsi_low"],
});

/** Parsed parameters of ema_rsi_volume. */
export type EmaRsiVolumeParams = z.output<typeof params>;

/** Smallest number of agreeing conditions (of 3) whose share reaches `minConfidence`. */
function neededVotes(minConfidence: number): number {
  for (let n = 1; n <= 3; n++) if (n / 3 >= minConfidence - 1e-9) return n;
  return 3;
}

/** The ema_rsi_volume strategy: its rules are in its description. */
export default defineStrategy({
  name: "ema_rsi_volume",
  version: "1.2.0",
  description: "Votes three conditions on the candle close. Long: close > EMA(ema_period); " +
    "RSI(rsi_period) within rsi_low..rsi_high; volume > volume_k × the SMA of the previous " +
    "volume_period volumes. Short mirrors it: close < EMA, RSI within 100-rsi_high..100-rsi_low, " +
    "the same volume test. confidence = agreeing conditions / 3; a side fires when its confidence " +
    "reaches min_confidence and beats the other side's. Market entry, SL/TP at sl_pct/tp_pct % " +
    "of the entry's fill price (sl_tp_from: fill, placed when it fills) or of the signal close " +
    "(sl_tp_from: close).",
  params,
  // First index where EMA (ema_period - 1), RSI (rsi_period) and the previous bar's volume
  // average (volume_period) all exist.
  warmup: (p) => Math.max(p.ema_period - 1, p.rsi_period, p.volume_period),
  create(p, ctx) {
    const ema = ctx.indicator({ kind: "ema", period: p.ema_period }).values;
    const rsi = ctx.indicator({ kind: "rsi", period: p.rsi_period }).values;
    const volAvg = ctx.indicator({ kind: "sma", source: "volume", period: p.volume_period }).values;
    const { close, volume } = ctx.base.data;
    const need = neededVotes(p.min_confidence);
    const shortLow = 100 - p.rsi_high;
    const shortHigh = 100 - p.rsi_low;
    return {
      onCandle(i) {
        if (i < 1) return null;
        const c = close[i];
        const e = ema[i];
        const r = rsi[i];
        const avg = volAvg[i - 1];
        if (!(e === e && r === r && avg > 0)) return null;
        const volOk = volume[i] > p.volume_k * avg;
        const longRsi = r >= p.rsi_low && r <= p.rsi_high;
        const shortRsi = r >= shortLow && r <= shortHigh;
        const nLong = (c > e ? 1 : 0) + (longRsi ? 1 : 0) + (volOk ? 1 : 0);
        const nShort = (c < e ? 1 : 0) + (shortRsi ? 1 : 0) + (volOk ? 1 : 0);
        let side: PositionSide;
        let votes: number;
        if (nLong > nShort && nLong >= need) [side, votes] = ["long", nLong];
        else if (nShort > nLong && nShort >= need) [side, votes] = ["short", nShort];
        else return null;
        // Holding that side already: another entry would change nothing (the gate refuses it).
        if (ctx.position()?.side === side) return null;
        const long = side === "long";
        const [lo, hi] = long ? [p.rsi_low, p.rsi_high] : [shortLow, shortHigh];
        const trendOk = long ? c > e : c < e;
        const rsiOk = long ? longRsi : shortRsi;
        const ratio = volume[i] / avg;
        const reason = [
          `close ${fmt(c)} ${trendOk ? (long ? ">" : "<") : (long ? "not above" : "not below")} ` +
          `EMA${p.ema_period} ${fmt(e)}`,
          `RSI ${fmt1(r)} ${rsiOk ? "in" : "not in"} ${fmt(lo)}..${fmt(hi)}`,
          `volume ${ratio.toFixed(1)}x avg ${volOk ? "above" : "not above"} ${fmt(p.volume_k)}x`,
        ].join("; ");
        return {
          side,
          confidence: votes / 3,
          ...exitsFrom(p.sl_tp_from, side, c, p.sl_pct, p.tp_pct),
          reason: `${side}: ${reason} (${votes}/3 agree)`,
        };
      },
    };
  },
});
