// Walk-forward: window plans, a real run with stitched out-of-sample equity, parameter stability.

import assert from "node:assert/strict";
import { synthCandles } from "../../src/data/synth.ts";
import { paramStability, planWindows, walkForward } from "../../src/optimize/walk_forward.ts";

Deno.test("rolling and anchored window plans", () => {
  assert.deepEqual(planWindows(1000, { inSample: 400, outOfSample: 200 }), [
    { isFrom: 0, oosFrom: 400, oosTo: 600 },
    { isFrom: 200, oosFrom: 600, oosTo: 800 },
    { isFrom: 400, oosFrom: 800, oosTo: 1000 },
  ]);
  assert.deepEqual(
    planWindows(1000, { inSample: 400, outOfSample: 200, mode: "anchored" }).map((w) => w.isFrom),
    [0, 0, 0],
  );
  assert.throws(
    () => planWindows(500, { inSample: 400, outOfSample: 200 }),
    /too few for one window/,
  );
  assert.throws(() => planWindows(500, { inSample: 0, outOfSample: 200 }), /whole positive/);
});

Deno.test("walk-forward optimises in-sample, tests out-of-sample and chains the equity", async () => {
  const candles = synthCandles({ bars: 3000, seed: 4, timeframe: "1h" });
  const wf = await walkForward({
    strategy: "ema_cross",
    candles,
    symbol: "SYN/USDT",
    timeframe: "1h",
    windows: { inSample: 1200, outOfSample: 600 },
    sampler: "random",
    trials: 8,
    seed: 3,
    workers: 0,
    space: { fast_period: { low: 5, high: 20 }, slow_period: { low: 30, high: 80 } },
    backtest: { fee: 0.001 },
  });
  assert.equal(wf.windows.length, 3);
  const first = wf.windows[0];
  assert.equal(first.outOfSample.from, candles.ts[1200]);
  assert.equal(first.outOfSample.to, candles.ts[1799]);
  assert.ok(
    (first.params.fast_period as number) >= 5 && (first.params.fast_period as number) <= 20,
  );
  // Stitched: one point per out-of-sample candle, starting at the cash, chained across windows.
  assert.equal(wf.stitched.ts.length, 1800);
  assert.deepEqual(wf.stitched.ts.slice(0, 2), [candles.ts[1200], candles.ts[1201]]);
  assert.ok(Math.abs(wf.stitched.equity[0] - 10_000) < 10_000 * 0.02);
  const end0 = wf.windows[0].outOfSample.metrics.final_equity / 10_000;
  const w1Start = wf.stitched.equity[600];
  assert.ok(Math.abs(w1Start / 10_000 - end0) < 0.02, `${w1Start} vs ${end0}`);
  assert.ok(wf.stability.fast_period.values.length === 3);
  if (wf.efficiency !== null) assert.ok(Number.isFinite(wf.efficiency));
});

Deno.test("parameter stability: spread of numbers, mode share of the rest", () => {
  const s = paramStability([
    { a: 10, mode: "x", direction: "long" },
    { a: 14, mode: "x", direction: "long" },
    { a: 12, mode: "y", direction: "long" },
  ]);
  assert.equal(s.a.mean, 12);
  assert.ok(Math.abs(s.a.stdev! - Math.sqrt(8 / 3)) < 1e-12);
  assert.ok(Math.abs(s.mode.modeShare! - 2 / 3) < 1e-12);
  assert.equal(s.direction, undefined);
});
