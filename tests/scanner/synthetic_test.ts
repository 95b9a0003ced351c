// The estimators on synthetic paths: near the true volatility of a random walk, and in agreement.

import assert from "node:assert/strict";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";
import { resample } from "../../src/data/resample.ts";
import { createRng } from "../../src/data/rng.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { lastCandles, type SeriesMetrics, seriesMetrics } from "../../src/scanner/metrics.ts";

const MIN = 60_000;
const YEAR = 365 * 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * 1m candles of a driftless geometric random walk with annual volatility `sigma`; each candle's
 * high and low are drawn from the Brownian-bridge extremes between its open and close, so
 * range-based estimators see the continuous path's range.
 */
function randomWalk(bars: number, sigma: number, seed: number): CandleColumns {
  const rng = createRng(seed);
  const c = allocColumns(bars);
  const s = sigma * Math.sqrt(MIN / YEAR);
  const bridgeMax = (a: number, b: number, u: number) =>
    (a + b + Math.sqrt((b - a) ** 2 - 2 * Math.log(1 - u) * s * s)) / 2;
  let x = Math.log(100);
  for (let i = 0; i < bars; i++) {
    const xc = x + s * rng.normal();
    c.ts[i] = T0 + i * MIN;
    c.open[i] = Math.exp(x);
    c.close[i] = Math.exp(xc);
    c.high[i] = Math.exp(bridgeMax(x, xc, rng.next()));
    c.low[i] = Math.exp(-bridgeMax(-x, -xc, rng.next()));
    c.volume[i] = 1;
    x = xc;
  }
  return c;
}

const ESTIMATORS = [
  "closeToClose",
  "parkinson",
  "garmanKlass",
  "rogersSatchell",
  "yangZhang",
  "realized",
] as const;

function values(m: SeriesMetrics): number[] {
  return ESTIMATORS.map((e) => m[e]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

Deno.test("on a random walk with 80 % volatility every estimator finds about 80 %", () => {
  for (const seed of [1, 2]) {
    const minutes = randomWalk(2000 * 60, 0.8, seed);
    const hours = resample(minutes, "1m", "1h").candles;
    const m = seriesMetrics(hours, "1h", { lower: { timeframe: "1m", candles: minutes } });
    assert.equal(m.candles, 2000);
    assert.equal(m.rvReturns, 2000 * 60 - 1);
    // Standard errors: ~1.6 % for close-to-close on 2000 bars, well under 1 % for RV on 120k.
    for (const e of ESTIMATORS) {
      const tol = e === "realized" ? 0.02 : 0.06;
      assert.ok(Math.abs(m[e] / 0.8 - 1) < tol, `seed ${seed} ${e}: ${m[e]}`);
    }
  }
});

Deno.test("on the synthetic market the estimators agree with each other and with its scale", () => {
  for (const seed of [1, 2, "scan"]) {
    const minutes = synthCandles({ bars: 1000 * 60, seed, annualVol: 0.6 });
    const hours = resample(minutes, "1m", "1h").candles;
    const m = seriesMetrics(lastCandles(hours, 1000), "1h", {
      lower: { timeframe: "1m", candles: minutes },
    });
    const vs = values(m);
    const mid = median(vs);
    for (const [i, v] of vs.entries()) {
      assert.ok(Math.abs(v / mid - 1) < 0.1, `seed ${seed} ${ESTIMATORS[i]} ${v} vs median ${mid}`);
    }
    // The generator scales a 60 % baseline by regimes between 0.45x (quiet) and 4x (crash).
    assert.ok(mid > 0.6 * 0.45 && mid < 0.6 * 2.5, `seed ${seed}: ${mid}`);
    // ATR % of price is a one-bar range: near the per-bar volatility times a small factor.
    const perBar = mid / Math.sqrt(8760) * 100;
    assert.ok(m.atrPct > 0.5 * perBar && m.atrPct < 4 * perBar, `atr% ${m.atrPct} vs ${perBar}`);
  }
});

Deno.test("a higher generator volatility gives proportionally higher estimates", () => {
  const est = (annualVol: number) =>
    seriesMetrics(synthCandles({ bars: 1500, seed: 9, annualVol, timeframe: "4h" }), "4h");
  const lo = est(0.4), hi = est(1.2);
  for (const e of ESTIMATORS.slice(0, 5)) {
    assert.ok(Math.abs(hi[e] / lo[e] / 3 - 1) < 0.1, `${e}: ${hi[e]} / ${lo[e]}`);
  }
});
