// signals: trades externally supplied signals (a list now; the TradingView webhook will feed it live).

import { z } from "zod";
import { isoUtc } from "../src/core/candles.ts";
import { defineStrategy } from "../src/core/strategy.ts";
import { timeframeMs } from "../src/core/timeframe.ts";
import type { Signal } from "../src/core/trading.ts";
import { signalsFeed } from "../src/strategy/signal_feed.ts";

/** The feed the strategy reads, for callers that build or push signals themselves. */
export { type ExternalSignal, SignalFeed, signalsFeed } from "../src/strategy/signal_feed.ts";

const price = z.number().positive().max(1e12);

/** One external signal as a parameter: when it was given, its side, optional prices and reason. */
export const externalSignal = z.object({
  ts: z.number().int().min(0).max(8.64e15).describe("When the signal was given (UTC ms)"),
  side: z.enum(["long", "short", "exit"]),
  sl: price.optional().describe("Stop-loss price"),
  tp: price.optional().describe("Take-profit price"),
  entry: price.optional().describe("Limit entry price (unset: market)"),
  valid_bars: z.number().int().min(1).max(1_000_000).optional()
    .describe("Candles a limit entry may wait for its fill (unset: until filled or cancelled)"),
  reason: z.string().max(500).optional().describe("Why, as the sender put it"),
  sl_pct: z.number().positive().max(100).optional()
    .describe("Stop-loss this many percent from the entry's fill (instead of sl)"),
  tp_pct: z.number().positive().max(1000).optional()
    .describe("Take-profit this many percent from the entry's fill (instead of tp)"),
  confidence: z.number().min(0).max(1).optional().describe("The sender's confidence [1]"),
  size: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("qty"), qty: z.number().positive() }),
    z.object({ kind: z.literal("equity"), fraction: z.number().positive().max(1) }),
    z.object({ kind: z.literal("quote"), amount: z.number().positive() }),
  ]).optional().describe("The entry's size (else the risk settings size it)"),
});

/** Parameters of signals. */
export const params = z.object({
  signals: z.array(externalSignal).max(1_000_000).default([])
    .describe("The signals to follow, in any order"),
});

/** Parsed parameters of signals. */
export type SignalsParams = z.output<typeof params>;

/** The signals strategy: its rules are in its description. */
export default defineStrategy({
  name: "signals",
  version: "1.2.0",
  description: "Follows external signals: each is emitted once, on the first candle whose " +
    "close time (open time + timeframe) is at or after the signal's ts, with its side, sl, tp " +
    "(or sl_pct, tp_pct from the fill), entry, size and confidence (default 1) unchanged. A bot's " +
    "alerts join the same queue as they arrive. Several due on one candle: the latest wins. The risk " +
    "gate judges them like any other signal (an exit when flat is refused as no_position).",
  params,
  warmup: () => 0,
  create(p, ctx) {
    const tfMs = timeframeMs(ctx.base.timeframe);
    const feed = signalsFeed(p.signals);
    // A bot's alerts arrive while it runs: they wait in the same queue as the given ones.
    ctx.external?.subscribe((s) => feed.push(s));
    return {
      onCandle(i): Signal | null {
        const due = feed.take(ctx.base.data.ts[i] + tfMs);
        if (!due) return null;
        const s = due.signal;
        const replaced = due.superseded
          ? ` (replaces ${due.superseded} earlier signal${
            due.superseded > 1 ? "s" : ""
          } due on this candle)`
          : "";
        return {
          side: s.side,
          ...(s.entry !== undefined ? { entry: s.entry } : {}),
          ...(s.sl !== undefined ? { sl: s.sl } : {}),
          ...(s.tp !== undefined ? { tp: s.tp } : {}),
          ...(s.size !== undefined ? { size: s.size } : {}),
          ...(s.sl_pct !== undefined ? { slPct: s.sl_pct } : {}),
          ...(s.tp_pct !== undefined ? { tpPct: s.tp_pct } : {}),
          ...(s.valid_bars !== undefined ? { validBars: s.valid_bars } : {}),
          confidence: s.confidence ?? 1,
          reason: `external ${s.side} signal of ${isoUtc(s.ts)}${
            s.reason ? `: ${s.reason}` : ""
          }${replaced}`,
        };
      },
    };
  },
});
