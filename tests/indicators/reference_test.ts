// Our kernels against technicalindicators (the reference), with each known difference pinned.

import assert from "node:assert/strict";
import * as ti from "technicalindicators";
import * as ind from "../../src/indicators/mod.ts";
import { alignTail } from "../../src/indicators/mod.ts";
import { assertCloseSeries, assertSameSeries, candles } from "./support.ts";

const N = 4000;
const c = candles(N, "reference");
const arr = (x: Float64Array) => Array.from(x);
const close = arr(c.close);
const high = arr(c.high);
const low = arr(c.low);
const volume = arr(c.volume);
const hlc = { high, low, close };

/** Our series from the index where technicalindicators' shorter output starts. */
const tail = (ours: Float64Array, theirs: ArrayLike<unknown>) => ours.subarray(N - theirs.length);
const firstValue = (xs: Float64Array) => xs.findIndex((v) => !Number.isNaN(v));

/** Ours equals theirs aligned to the end, within 1e-9 relative, and NaN before that. */
function matches(ours: Float64Array, theirs: (number | undefined)[], what: string, scale = 0) {
  assertCloseSeries(ours, alignTail(theirs, N), what, 1e-9, scale);
}

/** Ours equals theirs aligned to the end bit for bit (same operations in the same order). */
function identical(ours: Float64Array, theirs: (number | undefined)[], what: string) {
  assertSameSeries(ours, alignTail(theirs, N), what);
}

Deno.test("SMA, rolling stdev, Bollinger: equal within 1e-9 (running-sum rounding only)", () => {
  for (const p of [1, 2, 5, 20, 200]) {
    matches(ind.sma(c.close, p), ti.sma({ period: p, values: close }), `sma(${p})`);
    matches(ind.rollingStdev(c.close, p), ti.sd({ period: p, values: close }), `sd(${p})`, 1);
  }
  const ours = ind.bollinger(c.close, 20, 2);
  const theirs = ti.bollingerbands({ period: 20, stdDev: 2, values: close });
  matches(ours.middle, theirs.map((r) => r.middle), "bb.middle");
  matches(ours.upper, theirs.map((r) => r.upper), "bb.upper");
  matches(ours.lower, theirs.map((r) => r.lower), "bb.lower");
});

Deno.test("EMA (SMA seed), RMA (= WEMA), ATR, MACD: bit-identical", () => {
  for (const p of [1, 2, 9, 20, 50]) {
    identical(ind.ema(c.close, p), ti.ema({ period: p, values: close }), `ema(${p})`);
    identical(ind.rma(c.close, p), ti.wema({ period: p, values: close }), `rma(${p})`);
    identical(ind.atr(c.high, c.low, c.close, p), ti.atr({ period: p, ...hlc }), `atr(${p})`);
  }
  const ours = ind.macd(c.close, 12, 26, 9);
  const theirs = ti.macd({
    values: close,
    fastPeriod: 12,
    slowPeriod: 26,
    signalPeriod: 9,
    SimpleMAOscillator: false,
    SimpleMASignal: false,
  });
  identical(ours.macd, theirs.map((r) => r.MACD), "macd");
  identical(ours.signal, theirs.map((r) => r.signal), "signal");
  identical(ours.histogram, theirs.map((r) => r.histogram), "histogram");
});

Deno.test("RSI: technicalindicators rounds to 2 decimals; ours rounded that way is identical", () => {
  for (const p of [2, 7, 14, 30]) {
    const ours = ind.rsi(c.close, p);
    const theirs = ti.rsi({ period: p, values: close });
    assert.equal(firstValue(ours), N - theirs.length, `rsi(${p}) alignment`);
    const rounded = ours.map((v) => parseFloat(v.toFixed(2)));
    identical(rounded, theirs, `rsi(${p}) rounded`);
    // And the rounding is the only difference: ours is within half a cent of theirs.
    assertCloseSeries(ours, alignTail(theirs, N), `rsi(${p})`, 0.005 / 100 + 1e-12, 100);
    assert.ok(tail(ours, theirs).some((v, j) => v !== theirs[j]), "ours is not rounded");
  }
});

Deno.test("rolling max/min (= Highest/Lowest), ROC, VWAP: bit-identical", () => {
  for (const p of [1, 3, 20, 100]) {
    identical(ind.rollingMax(c.high, p), ti.highest({ period: p, values: high }), `max(${p})`);
    identical(ind.rollingMin(c.low, p), ti.lowest({ period: p, values: low }), `min(${p})`);
    identical(ind.roc(c.close, p), ti.roc({ period: p, values: close }), `roc(${p})`);
  }
  identical(ind.vwap(c.high, c.low, c.close, c.volume), ti.vwap({ ...hlc, volume }), "vwap");
});

Deno.test("ROC difference: technicalindicators drops NaN results (0 / 0), we keep them in place", () => {
  const x = new Float64Array([0, 0, 1, 2, 4]);
  assertSameSeries(ind.roc(x, 1), new Float64Array([NaN, NaN, Infinity, 100, 100]), "ours");
  assert.deepEqual(ti.roc({ period: 1, values: Array.from(x) }), [Infinity, 100, 100]);
});

Deno.test("VWAP session: each UTC day equals technicalindicators' VWAP of that day alone", () => {
  const days = candles(3 * 1440 + 200, "sessions");
  const ours = ind.vwapSession(days.high, days.low, days.close, days.volume, days.ts);
  let from = 0;
  let checked = 0;
  while (from < days.ts.length) {
    const day = Math.floor(days.ts[from] / 86_400_000);
    let to = from;
    while (to < days.ts.length && Math.floor(days.ts[to] / 86_400_000) === day) to++;
    const slice = (x: Float64Array) => Array.from(x.subarray(from, to));
    const theirs = ti.vwap({
      high: slice(days.high),
      low: slice(days.low),
      close: slice(days.close),
      volume: slice(days.volume),
    });
    assertSameSeries(ours.subarray(from, to), new Float64Array(theirs), `day ${day}`);
    checked++;
    from = to;
  }
  assert.equal(checked, 4);
});

Deno.test("OBV difference: technicalindicators has no value for the first candle; ours is 0", () => {
  const ours = ind.obv(c.close, c.volume);
  const theirs = ti.obv({ close, volume });
  assert.equal(theirs.length, N - 1);
  assert.equal(ours[0], 0);
  assertSameSeries(ours.subarray(1), new Float64Array(theirs), "obv from index 1");
});

Deno.test("ADX: identical values; technicalindicators reports +DI/-DI only once ADX exists", () => {
  for (const p of [5, 14]) {
    const ours = ind.adx(c.high, c.low, c.close, p);
    const theirs = ti.adx({ period: p, ...hlc });
    assert.equal(theirs.length, N - (2 * p - 1));
    identical(ours.adx, theirs.map((r) => r.adx), `adx(${p})`);
    // Ours has +DI/-DI from index p; theirs start with ADX, at 2p - 1.
    assert.equal(firstValue(ours.plusDi), p);
    assertSameSeries(tail(ours.plusDi, theirs), new Float64Array(theirs.map((r) => r.pdi)), "+DI");
    assertSameSeries(tail(ours.minusDi, theirs), new Float64Array(theirs.map((r) => r.mdi)), "-DI");
  }
});

Deno.test("ADX difference: on flat data technicalindicators gives NaN forever, we give 0", () => {
  const n = 60;
  const flat = new Float64Array(n).fill(100);
  const ours = ind.adx(flat, flat, flat, 5);
  const theirs = ti.adx({ period: 5, high: arr(flat), low: arr(flat), close: arr(flat) });
  assert.ok(theirs.every((r) => Number.isNaN(r.adx) && Number.isNaN(r.pdi)));
  assert.ok(ours.adx.subarray(9).every((v) => v === 0));
  assert.ok(ours.plusDi.subarray(5).every((v) => v === 0));
});

Deno.test("Stochastic: kSmooth 1 is technicalindicators' Stochastic; kSmooth > 1 smooths its %K", () => {
  const ours = ind.stochastic(c.high, c.low, c.close, 14, 1, 3);
  const theirs = ti.stochastic({ period: 14, signalPeriod: 3, ...hlc });
  identical(ours.k, theirs.map((r) => r.k), "k");
  matches(ours.d, theirs.map((r) => r.d), "d", 100);
  // Slow stochastic: %K = SMA(3) of their raw %K, %D = SMA(3) of that.
  const slow = ind.stochastic(c.high, c.low, c.close, 14, 3, 3);
  const kSlow = ti.sma({ period: 3, values: theirs.map((r) => r.k) });
  matches(slow.k, kSlow, "slow k", 100);
  matches(slow.d, ti.sma({ period: 3, values: kSlow }), "slow d", 100);
});

Deno.test("Stochastic: a zero range (0 / 0) is %K 0, as technicalindicators defines it", () => {
  const flat = new Float64Array(20).fill(5);
  const ours = ind.stochastic(flat, flat, flat, 5, 1, 1);
  const theirs = ti.stochastic({
    period: 5,
    signalPeriod: 1,
    high: arr(flat),
    low: arr(flat),
    close: arr(flat),
  });
  assertSameSeries(ours.k.subarray(4), new Float64Array(theirs.map((r) => r.k)), "k");
  assert.equal(ours.k[19], 0);
});

Deno.test("differences where technicalindicators tests numbers for truthiness or starts at 0", () => {
  const x = new Float64Array([-1, 1, 3]);
  // EMA seed exactly 0: it applies the update twice with the same value.
  assertSameSeries(ind.ema(x, 2), new Float64Array([NaN, 0, 2]), "ema ours");
  assertCloseSeries(
    new Float64Array(ti.ema({ period: 2, values: arr(x) })),
    [2 / 3, 20 / 9],
    "ti",
    1e-15,
  );
  // SD / Bollinger skip a window whose mean is exactly 0.
  const y = new Float64Array([-1, 1, 2]);
  assertSameSeries(ind.rollingStdev(y, 2), new Float64Array([NaN, 1, 0.5]), "sd ours");
  assert.deepEqual(ti.sd({ period: 2, values: arr(y) }), [0.5]);
  assert.equal(ti.bollingerbands({ period: 2, stdDev: 2, values: arr(y) }).length, 1);
  // Highest starts its running max at 0, so all-negative data reads 0.
  const z = new Float64Array([-3, -2, -5]);
  assertSameSeries(ind.rollingMax(z, 2), new Float64Array([NaN, -2, -2]), "max ours");
  assert.deepEqual(ti.highest({ period: 2, values: arr(z) }), [0, 0]);
  // ... and so does its Stochastic: 33.3 instead of (-2 - -3) / (-1 - -3) * 100 = 50.
  const neg = (v: number) => new Float64Array(3).fill(v);
  assertSameSeries(ind.stochastic(neg(-1), neg(-3), neg(-2), 2, 1, 1).k, [NaN, 50, 50], "k ours");
  const theirs = ti.stochastic({
    period: 2,
    signalPeriod: 1,
    high: [-1, -1, -1],
    low: [-3, -3, -3],
    close: [-2, -2, -2],
  });
  assertCloseSeries(new Float64Array(theirs.map((r) => r.k)), [100 / 3, 100 / 3], "ti k", 1e-15);
});
