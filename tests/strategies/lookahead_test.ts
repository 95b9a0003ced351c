// Look-ahead tests for every built-in strategy: later candles never change earlier decisions.

import { synthCandles } from "../../src/data/synth.ts";
import { assertNoLookahead } from "./lookahead_support.ts";

const hourly = synthCandles({ bars: 3000, seed: 1, timeframe: "1h" });
const quarterly = synthCandles({ bars: 20_000, seed: 1, timeframe: "15m" });
const H = { symbol: "SYN/USDT", timeframe: "1h" };

const cases: [string, Record<string, unknown>][] = [
  ["sma_cross", {}],
  ["sma_cross", { direction: "both" }],
  ["ema_cross", {}],
  ["ema_cross", { direction: "both" }],
  ["ema_rsi_volume", {}],
  ["ema_rsi_volume", { direction: "both", min_confidence: 0.66 }],
  ["smc", {}],
  ["smc", { direction: "both", zone: "ob", swing_len: 2 }],
  ["grid", {}],
  ["grid", { direction: "both", levels: 6, range_bars: 200 }],
  ["dca", { tp_pct: 2 }],
];

for (const [strategy, params] of cases) {
  Deno.test(`no look-ahead: ${strategy} ${JSON.stringify(params)}`, async () => {
    await assertNoLookahead({ ...H, strategy, params }, hourly);
  });
}

Deno.test("no look-ahead: rsi_macd_bb (15m base, 1h and 4h read at closedIndex)", async () => {
  for (const direction of ["long", "both"]) {
    await assertNoLookahead(
      { strategy: "rsi_macd_bb", symbol: "SYN/USDT", timeframe: "15m", params: { direction } },
      quarterly,
    );
  }
});

Deno.test("no look-ahead: signals", async () => {
  const ts = (i: number) => hourly.ts[i] + 1_800_000; // mid-candle: emitted on candle i
  const signals = [
    { ts: ts(100), side: "long", sl: hourly.close[100] * 0.9 },
    { ts: ts(300), side: "exit" },
    { ts: ts(500), side: "short" },
    { ts: ts(700), side: "long", tp: hourly.close[700] * 1.02 },
    { ts: ts(900), side: "exit" },
    { ts: ts(1100), side: "long" },
    { ts: ts(1500), side: "exit", reason: "alert" },
  ];
  await assertNoLookahead({ ...H, strategy: "signals", params: { signals } }, hourly);
});
