// rsi_macd_bb: trades on 15m synthetic candles; each signal's confluence holds on CLOSED 1h/4h candles.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { resample } from "../../src/data/resample.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { bollinger, macd, rsi } from "../../src/indicators/mod.ts";
import { checkExits } from "./support.ts";

const M15 = 900_000;
const candles = synthCandles({ bars: 20_000, seed: 1, timeframe: "15m" });

/** Index of the last candle of `ts` (open times, length `ms`) closed by `closeTs`, or -1. */
function lastClosed(ts: Float64Array, ms: number, closeTs: number): number {
  let j = -1;
  while (j + 1 < ts.length && ts[j + 1] + ms <= closeTs) j++;
  return j;
}

Deno.test("rsi_macd_bb: defaults trade seed 1 (15m); 15m RSI, 1h MACD, 4h bands hold at closed candles", async () => {
  const r = await backtest(
    {
      strategy: "rsi_macd_bb",
      symbol: "SYN/USDT",
      timeframe: "15m",
      params: { direction: "both" },
    },
    candles,
  );
  assert.ok(r.trades.length >= 5, `trades: ${r.trades.length}`);
  const exits = checkExits(r);
  assert.ok(
    Object.keys(exits).every((k) => ["sl", "tp", "signal"].includes(k)),
    JSON.stringify(exits),
  );
  // Independent of the engine's views: resample here and look the candles up by time.
  const h1 = resample(candles, "15m", "1h").candles;
  const h4 = resample(candles, "15m", "4h").candles;
  const hist = macd(h1.close, 12, 26, 9).histogram;
  const bb = bollinger(h4.close, 20, 2);
  const r15 = rsi(candles.close, 14);
  for (const d of r.decisions) {
    const i = (d.ts - M15 - candles.ts[0]) / M15;
    const j = lastClosed(h1.ts, 4 * M15, d.ts);
    const q = lastClosed(h4.ts, 16 * M15, d.ts);
    assert.ok(h1.ts[j] + 4 * M15 <= d.ts && h4.ts[q] + 16 * M15 <= d.ts, "closed candles only");
    const c = candles.close[i];
    if (d.signal.side === "long") {
      assert.ok(r15[i] <= 30, d.signal.reason);
      assert.ok(hist[j] > hist[j - 1], d.signal.reason);
      assert.ok(c <= bb.lower[q] * 1.005, d.signal.reason);
    } else {
      assert.ok(r15[i] >= 70, d.signal.reason);
      assert.ok(hist[j] < hist[j - 1], d.signal.reason);
      assert.ok(c >= bb.upper[q] * 0.995, d.signal.reason);
    }
    assert.match(
      d.signal.reason,
      /^15m RSI [\d.]+ [<>]= (30|70); 1h MACD histogram (rising|falling) /,
    );
  }
  assert.ok(r.decisions.some((d) => d.signal.side === "short"), "shorts too");
});

Deno.test("rsi_macd_bb: no decision before the 4h bands exist", async () => {
  const r = await backtest(
    { strategy: "rsi_macd_bb", symbol: "SYN/USDT", timeframe: "15m" },
    candles,
  );
  assert.ok(r.decisions.length > 0);
  assert.ok(r.decisions[0].ts >= candles.ts[0] + 20 * 16 * M15);
});
