// ema_rsi_volume: trades on synthetic candles, and every signal's conditions hold when recomputed.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { ema, rsi, sma } from "../../src/indicators/mod.ts";
import { checkExits } from "./support.ts";

const candles = synthCandles({ bars: 3000, seed: 1, timeframe: "1h" });
const HOUR = 3_600_000;
const run = (params: Record<string, unknown>) =>
  backtest({ strategy: "ema_rsi_volume", symbol: "SYN/USDT", timeframe: "1h", params }, candles);

/** Recomputes the three conditions of the side at candle i with the kernels directly. */
function votes(i: number, side: string, p = { ema: 50, rsi: 14, vol: 20, k: 1.5, lo: 40, hi: 70 }) {
  const c = candles.close[i];
  const e = ema(candles.close, p.ema)[i];
  const r = rsi(candles.close, p.rsi)[i];
  const avg = sma(candles.volume, p.vol)[i - 1];
  const [lo, hi] = side === "long" ? [p.lo, p.hi] : [100 - p.hi, 100 - p.lo];
  return [side === "long" ? c > e : c < e, r >= lo && r <= hi, candles.volume[i] > p.k * avg];
}

Deno.test("ema_rsi_volume: defaults trade seed 1 (1h); all three conditions hold on each signal", async () => {
  const r = await run({});
  assert.ok(r.trades.length >= 10, `trades: ${r.trades.length}`);
  const exits = checkExits(r);
  assert.deepEqual(Object.keys(exits).sort(), ["signal", "sl", "tp"]);
  for (const d of r.decisions) {
    const i = (d.ts - HOUR - candles.ts[0]) / HOUR;
    assert.ok(i >= 50, "no decision in the warm-up");
    assert.deepEqual(votes(i, d.signal.side), [true, true, true], d.signal.reason);
    assert.equal(d.signal.confidence, 1);
    // by default the stop and target are 2 % and 4 % from the fill, placed when it fills
    assert.equal(d.signal.sl, undefined);
    assert.equal(d.signal.slPct, 2, "stop 2 % from the fill");
    assert.equal(d.signal.tpPct, 4, "target 4 % from the fill");
    assert.match(
      d.signal.reason,
      /^(long|short): close [\d.]+ [<>] EMA50 [\d.]+; RSI [\d.]+ in [\d.]+\.\.[\d.]+; volume [\d.]+x avg above 1\.5x \(3\/3 agree\)$/,
    );
  }
  // long only: a short signal closes a long, and the risk gate refuses it when flat
  // (direction); no entry while that side is held already (the strategy stays quiet)
  const outcomes = new Set(r.decisions.map((d) => `${d.signal.side} ${d.code}`));
  assert.deepEqual([...outcomes].sort(), ["long open", "short close", "short direction"]);
  assert.ok(r.trades.every((t) => t.side === "long"));
});

Deno.test("ema_rsi_volume: sl_tp_from close puts the stop and target at 2 % and 4 % of the close", async () => {
  const r = await run({ sl_tp_from: "close" });
  assert.ok(r.trades.length >= 10, `trades: ${r.trades.length}`);
  checkExits(r);
  for (const d of r.decisions.filter((d) => d.code === "open")) {
    const i = (d.ts - HOUR - candles.ts[0]) / HOUR;
    const c = candles.close[i];
    const dir = d.signal.side === "long" ? 1 : -1;
    assert.equal(d.signal.slPct, undefined);
    assert.ok(Math.abs(d.signal.sl! - c * (1 - dir * 0.02)) < 1e-6, "stop 2 % from the close");
    assert.ok(Math.abs(d.signal.tp! - c * (1 + dir * 0.04)) < 1e-6, "target 4 % from the close");
  }
});

Deno.test("ema_rsi_volume: min_confidence 0.66 also fires on two of three, with confidence 2/3", async () => {
  const r = await run({ min_confidence: 0.66, direction: "both" });
  assert.ok(r.trades.length >= 10);
  checkExits(r);
  const partial = r.decisions.filter((d) => d.signal.confidence < 1);
  assert.ok(partial.length > 0);
  for (const d of partial) {
    assert.equal(d.signal.confidence, 2 / 3);
    const i = (d.ts - HOUR - candles.ts[0]) / HOUR;
    assert.equal(votes(i, d.signal.side).filter(Boolean).length, 2, d.signal.reason);
    assert.match(d.signal.reason, /not (above|below|in)/);
    assert.match(d.signal.reason, /\(2\/3 agree\)$/);
  }
  assert.ok(r.trades.some((t) => t.side === "short"), "direction both opens shorts");
});

Deno.test("ema_rsi_volume: parameters are checked", async () => {
  await assert.rejects(run({ rsi_low: 70, rsi_high: 40 }), /rsi_low must be smaller than rsi_high/);
  await assert.rejects(run({ min_confidence: 0.2 }), /min_confidence/);
});
