// Each volatility estimator and scanner metric on hand-made candles, against hand-computed values.

import assert from "node:assert/strict";
import { toColumns } from "../../src/core/candles.ts";
import {
  annualise,
  closeToCloseVar,
  efficiencyRatio,
  garmanKlassVar,
  parkinsonVar,
  periodsPerYear,
  realizedVol,
  rogersSatchellVar,
  yangZhangK,
  yangZhangVar,
} from "../../src/scanner/estimators.ts";
import { findBadCandle, rvTimeframeFor, seriesMetrics } from "../../src/scanner/metrics.ts";
import { k } from "../support.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const ln = Math.log;

// Three 1h candles; the opens of the 2nd and 3rd differ from the previous close (jumps).
//              ts          open high low  close volume
const THREE = toColumns([
  k(T0, 100, 110, 95, 105, 2),
  k(T0 + H, 106, 112, 100, 108, 3),
  k(T0 + 2 * H, 107, 109, 99, 100, 4),
]);

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

Deno.test("periodsPerYear uses a 365-day year; annualise is sqrt(P * variance)", () => {
  assert.equal(periodsPerYear("1h"), 8760);
  assert.equal(periodsPerYear("1d"), 365);
  assert.equal(periodsPerYear("5m"), 105_120);
  assert.equal(annualise(0.0001, 10_000), 1);
  assert.equal(annualise(-1, 365), 0);
  assert.ok(Number.isNaN(annualise(NaN, 365)));
});

Deno.test("close-to-close: sample variance of the log returns", () => {
  const r1 = ln(108 / 105), r2 = ln(100 / 108);
  const mean = (r1 + r2) / 2;
  const hand = ((r1 - mean) ** 2 + (r2 - mean) ** 2) / 1;
  close(closeToCloseVar(THREE), hand);
  close(closeToCloseVar(THREE), 0.005526360101989504); // computed independently
  close(annualise(closeToCloseVar(THREE), periodsPerYear("1h")), 6.957795232214588);
  assert.ok(
    Number.isNaN(closeToCloseVar(toColumns([k(T0, 1, 1, 1, 1, 0), k(T0 + H, 1, 1, 1, 1, 0)]))),
  );
});

Deno.test("Parkinson: mean squared log range over 4 ln 2", () => {
  const hand = (ln(110 / 95) ** 2 + ln(112 / 100) ** 2 + ln(109 / 99) ** 2) / (4 * Math.LN2 * 3);
  close(parkinsonVar(THREE), hand);
  close(parkinsonVar(THREE), 0.005241287485787425);
});

Deno.test("Garman-Klass: 0.5 ln(H/L)^2 - (2 ln 2 - 1) ln(C/O)^2, averaged", () => {
  const c = 2 * Math.LN2 - 1;
  const term = (h: number, l: number, o: number, x: number) =>
    0.5 * ln(h / l) ** 2 - c * ln(x / o) ** 2;
  const hand = (term(110, 95, 100, 105) + term(112, 100, 106, 108) + term(109, 99, 107, 100)) / 3;
  close(garmanKlassVar(THREE), hand);
  close(garmanKlassVar(THREE), 0.0063250097630437535);
});

Deno.test("Rogers-Satchell: ln(H/C) ln(H/O) + ln(L/C) ln(L/O), averaged", () => {
  const term = (h: number, l: number, o: number, x: number) =>
    ln(h / x) * ln(h / o) + ln(l / x) * ln(l / o);
  const hand = (term(110, 95, 100, 105) + term(112, 100, 106, 108) + term(109, 99, 107, 100)) / 3;
  close(rogersSatchellVar(THREE), hand);
  close(rogersSatchellVar(THREE), 0.006143733947346096);
  // A bar that closes at its high and opens at its low contributes 0 (RS ignores pure drift).
  close(rogersSatchellVar(toColumns([k(T0, 100, 110, 100, 110, 1)])), 0);
});

Deno.test("Yang-Zhang: overnight + k * open-to-close + (1 - k) * RS, over bars with a prior close", () => {
  const N = 2;
  const kk = 0.34 / (1.34 + (N + 1) / (N - 1));
  close(yangZhangK(2), kk);
  close(kk, 0.0783410138248848);
  const o1 = ln(106 / 105), o2 = ln(107 / 108);
  const c1 = ln(108 / 106), c2 = ln(100 / 107);
  const sv = (a: number, b: number) => (a - (a + b) / 2) ** 2 + (b - (a + b) / 2) ** 2;
  const rs = (ln(112 / 108) * ln(112 / 106) + ln(100 / 108) * ln(100 / 106) +
    ln(109 / 100) * ln(109 / 107) + ln(99 / 100) * ln(99 / 107)) / 2;
  const hand = sv(o1, o2) + kk * sv(c1, c2) + (1 - kk) * rs;
  const yz = yangZhangVar(THREE);
  close(yz.variance, hand);
  close(yz.variance, 0.004553121015741075);
  close(yz.k, kk);
  // k tends to 0.34 / 2.34 as the window grows.
  close(yangZhangK(199), 0.34 / (1.34 + 200 / 198));
  assert.ok(Number.isNaN(yangZhangVar(toColumns([k(T0, 1, 2, 1, 2, 0)])).variance));
});

Deno.test("realised volatility: sqrt(P_low * mean squared lower-TF return); gaps and the outside skipped", () => {
  const M5 = 300_000;
  // 5m closes inside one 1h window [T0, T0 + 1h): 100, 101, 100.5, then a gap, then 102, 103.
  const low = toColumns([
    k(T0 - M5, 90, 90, 90, 90, 1), // before the window: its return into T0 is not used
    k(T0, 100, 100, 100, 100, 1),
    k(T0 + M5, 101, 101, 101, 101, 1),
    k(T0 + 2 * M5, 100.5, 100.5, 100.5, 100.5, 1),
    k(T0 + 4 * M5, 102, 102, 102, 102, 1), // 3 is missing: no return across the gap
    k(T0 + 5 * M5, 103, 103, 103, 103, 1),
    k(T0 + 12 * M5, 200, 200, 200, 200, 1), // next window
  ]);
  const rets = [ln(101 / 100), ln(100.5 / 101), ln(103 / 102)];
  const hand = Math.sqrt(periodsPerYear("5m") * rets.reduce((s, r) => s + r * r, 0) / 3);
  const rv = realizedVol(low, "5m", T0, T0 + H, 0.2);
  assert.equal(rv.returns, 3);
  close(rv.coverage, 3 / 11);
  close(rv.vol, hand);
  // Default coverage 0.5: 3 of 11 returns is too thin.
  assert.ok(Number.isNaN(realizedVol(low, "5m", T0, T0 + H).vol));
});

Deno.test("efficiency ratio: net move over path length", () => {
  close(efficiencyRatio(THREE), 5 / (3 + 8));
  assert.equal(efficiencyRatio(toColumns([k(T0, 5, 5, 5, 5, 0), k(T0 + H, 5, 5, 5, 5, 0)])), 0);
  const line = toColumns([1, 2, 3, 4].map((p, i) => k(T0 + i * H, p, p, p, p, 1)));
  assert.equal(efficiencyRatio(line), 1);
});

Deno.test("seriesMetrics: ATR % of price, volumes, quote volume per day, change, gaps", () => {
  const m = seriesMetrics(THREE, "1h", { atrPeriod: 2, adxPeriod: 2 });
  // True ranges of candles 1 and 2: max(112-100, |112-105|, |100-105|) = 12; max(10, 1, 9) = 10.
  close(m.atr, 11);
  close(m.atrPct, 11); // 11 / last close 100, in %
  assert.equal(m.volume, 9);
  assert.equal(m.quoteVolume, 2 * 105 + 3 * 108 + 4 * 100);
  close(m.quoteVolumePerDay, 934 * 24 / 3); // 3 hours of candles
  close(m.change, 100 / 105 - 1);
  assert.equal(m.candles, 3);
  assert.equal(m.missing, 0);
  assert.equal(m.first, T0);
  assert.equal(m.last, T0 + 2 * H);
  close(m.closeToClose, 6.957795232214588);
  close(m.yangZhang, Math.sqrt(8760 * 0.004553121015741075));
  assert.ok(Number.isNaN(m.realized));
  assert.equal(m.rvTimeframe, "");
  // ADX(2) needs 4 candles; ATR(14) needs 15.
  assert.ok(Number.isNaN(m.adx));
  assert.ok(Number.isNaN(seriesMetrics(THREE, "1h").atrPct));
  const gappy = toColumns([k(T0, 1, 1, 1, 1, 1), k(T0 + 3 * H, 1, 1, 1, 1, 1)]);
  assert.equal(seriesMetrics(gappy, "1h").missing, 2);
  close(seriesMetrics(gappy, "1h").quoteVolumePerDay, 2 * 24 / 4);
});

Deno.test("unsound candles are named, and seriesMetrics refuses them", () => {
  assert.equal(findBadCandle(THREE), undefined);
  const bad = toColumns([k(T0, 100, 99, 95, 100, 1)]);
  assert.match(findBadCandle(bad)!, /2024-01-01T00:00:00\.000Z has high 99/);
  assert.throws(() => seriesMetrics(bad, "1h"), /high 99/);
  assert.match(findBadCandle(toColumns([k(T0, 0, 1, 0, 1, 1)]))!, /price of 0 or less/);
  assert.match(findBadCandle(toColumns([k(T0, 1, 1, 1, 1, NaN)]))!, /non-finite/);
  assert.throws(() => seriesMetrics(toColumns([]), "1h"), /no candles/);
});

Deno.test("rvTimeframeFor picks the coarsest lower timeframe that fits 12 times", () => {
  assert.equal(rvTimeframeFor("1h"), "5m");
  assert.equal(rvTimeframeFor("4h"), "15m");
  assert.equal(rvTimeframeFor("1d"), "1h");
  assert.equal(rvTimeframeFor("15m"), "1m");
  assert.equal(rvTimeframeFor("5m"), "1m");
  assert.equal(rvTimeframeFor("1m"), undefined);
  assert.equal(rvTimeframeFor("1h", ["1m"]), "1m");
});
