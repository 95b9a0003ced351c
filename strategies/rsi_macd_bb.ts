// rsi_macd_bb: multi-timeframe confluence of 15m RSI, 1h MACD histogram and 4h Bollinger Bands.

import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";
import type { PositionSide } from "../src/core/trading.ts";
import { exitsFrom, slTpFromParam } from "../src/strategy/brackets.ts";
import { fmt, fmt1 } from "../src/strategy/format.ts";

/** The middle timeframe (MACD). */
export const MID_TF = "1h";
/** The high timeframe (Bollinger Bands). */
export const HIGH_TF = "4h";

/** Parameters of rsi_macd_bb. */
export const params = z.object({
  rsi_period: z.number().int().min(2).max(100).default(14).describe("RSI length (base timeframe)"),
  rsi_oversold: z.number().min(1).max(50).default(30).describe("Long needs RSI at or below this"),
  rsi_overbought: z.number().min(50).max(99).default(70).describe(
    "Short needs RSI at or above this",
  ),
  macd_fast: z.number().int().min(2).max(100).default(12).describe("MACD fast EMA (1h)"),
  macd_slow: z.number().int().min(3).max(200).default(26).describe("MACD slow EMA (1h)"),
  macd_signal: z.number().int().min(2).max(100).default(9).describe("MACD signal EMA (1h)"),
  bb_period: z.number().int().min(2).max(200).default(20).describe("Bollinger length (4h)"),
  bb_k: z.number().min(0.5).max(5).default(2).describe("Bollinger width in standard deviations"),
  bb_near_pct: z.number().min(0).max(10).default(0.5)
    .describe("A close within this % of the band (or beyond it) counts as at the band"),
  sl_pct: z.number().min(0.05).max(50).default(2)
    .describe("Stop-loss distance, % of the entry's fill (or of the close: sl_tp_from)"),
  tp_pct: z.number().min(0.05).max(99).default(4)
    .describe("Take-profit distance, % of the entry's fill (or of the close: sl_tp_from)"),
  sl_tp_from: slTpFromParam,
}).refine((p) => p.macd_fast < p.macd_slow, {
  message: "macd_fast must be smaller than macd_slow",
  path: ["macd_fast"],
});

/** Parsed parameters of rsi_macd_bb. */
export type RsiMacdBbParams = z.output<typeof params>;

/** The rsi_macd_bb strategy: its rules are in its description. */
export default defineStrategy({
  name: "rsi_macd_bb",
  version: "1.2.0",
  description: "Confluence on a 15m base. Long when all three hold on the 15m close: 15m " +
    "RSI(rsi_period) <= rsi_oversold; the 1h MACD histogram of the last CLOSED 1h candle is " +
    "above the one before (turning up); the 15m close is at most bb_near_pct % above the lower " +
    "Bollinger band (bb_period, bb_k) of the last CLOSED 4h candle. Short mirrors it (RSI >= " +
    "rsi_overbought, histogram falling, close at most bb_near_pct % below the upper band). " +
    "Market entry, SL/TP at sl_pct/tp_pct % of the entry's fill (sl_tp_from: fill, placed when " +
    "it fills) or of the signal close (sl_tp_from: close).",
  params,
  timeframes: () => [MID_TF, HIGH_TF],
  // In 15m bars (4 per 1h, 16 per 4h): the 1h histogram needs macd_slow + macd_signal closed 1h
  // candles (two values), the bands bb_period closed 4h candles. On another base the NaN and
  // closedIndex checks still keep it correct; only the skip is then not exact.
  warmup: (p) => Math.max(p.rsi_period, 4 * (p.macd_slow + p.macd_signal), 16 * p.bb_period),
  create(p, ctx) {
    const rsi = ctx.indicator({ kind: "rsi", period: p.rsi_period }).values;
    const mid = ctx.timeframe(MID_TF);
    const high = ctx.timeframe(HIGH_TF);
    const hist = ctx.indicator(
      { kind: "macd", fast: p.macd_fast, slow: p.macd_slow, signal: p.macd_signal },
      MID_TF,
    ).histogram.values;
    const bb = ctx.indicator({ kind: "bbands", period: p.bb_period, k: p.bb_k }, HIGH_TF);
    const lower = bb.lower.values;
    const upper = bb.upper.values;
    const close = ctx.base.data.close;
    const near = p.bb_near_pct / 100;
    return {
      onCandle(i) {
        const r = rsi[i];
        let side: PositionSide;
        if (r <= p.rsi_oversold) side = "long";
        else if (r >= p.rsi_overbought) side = "short";
        else return null; // also NaN
        // Holding that side already: another entry would change nothing (the gate refuses it).
        if (ctx.position()?.side === side) return null;
        const j = mid.closedIndex(i);
        const q = high.closedIndex(i);
        if (j < 1 || q < 0) return null;
        const h0 = hist[j - 1];
        const h1 = hist[j];
        const c = close[i];
        const long = side === "long";
        if (long) {
          if (!(h1 > h0 && c <= lower[q] * (1 + near))) return null;
        } else if (!(h1 < h0 && c >= upper[q] * (1 - near))) return null;
        const band = long ? lower[q] : upper[q];
        const reason = long
          ? `15m RSI ${fmt1(r)} <= ${fmt(p.rsi_oversold)}; 1h MACD histogram rising ` +
            `${fmt(h0)} -> ${fmt(h1)}; close ${fmt(c)} within ${fmt(p.bb_near_pct)}% of or below ` +
            `the 4h lower band ${fmt(band)}`
          : `15m RSI ${fmt1(r)} >= ${fmt(p.rsi_overbought)}; 1h MACD histogram falling ` +
            `${fmt(h0)} -> ${fmt(h1)}; close ${fmt(c)} within ${fmt(p.bb_near_pct)}% of or above ` +
            `the 4h upper band ${fmt(band)}`;
        return {
          side,
          confidence: 1,
          ...exitsFrom(p.sl_tp_from, side, c, p.sl_pct, p.tp_pct),
          reason,
        };
      },
    };
  },
});
