// Indicator kernels: batch equals incremental bit for bit, and hand-computed warm-up examples.

import assert from "node:assert/strict";
import * as ind from "../../src/indicators/mod.ts";
import {
  assertCloseSeries,
  assertSameOutputs,
  assertSameSeries,
  candles,
  KERNELS,
  liveRun,
  nastyCandles,
} from "./support.ts";

const f64 = (xs: number[]) => new Float64Array(xs);

for (const spec of KERNELS) {
  Deno.test(`${spec.name}: batch == incremental on 3000 synthetic candles`, () => {
    const c = candles(3000);
    assertSameOutputs(spec.live(c), spec.batch(c), spec.name);
  });

  Deno.test(`${spec.name}: batch == incremental with NaNs, flat runs and a spike`, () => {
    const c = nastyCandles();
    const batch = spec.batch(c);
    assertSameOutputs(spec.live(c), batch, spec.name);
    // The NaNs do not poison the series: the tail has values again.
    for (const [k, col] of Object.entries(batch)) {
      assert.ok(!Number.isNaN(col[col.length - 1]), `${spec.name}.${k} recovers after NaNs`);
    }
  });

  Deno.test(`${spec.name}: shorter than the warm-up, and empty input`, () => {
    for (const n of [1, 5]) {
      const c = candles(n);
      assertSameOutputs(spec.live(c), spec.batch(c), `${spec.name} n=${n}`);
    }
    const empty = candles(1);
    for (const f of Object.keys(empty) as (keyof typeof empty)[]) {
      empty[f] = empty[f].subarray(0, 0);
    }
    for (const col of Object.values(spec.batch(empty))) assert.equal(col.length, 0);
  });
}

/** Each single-input kernel over `x`: its name, the batch form and the incremental form. */
function singleInputKernels(
  x: Float64Array,
): [string, (p: number) => Float64Array, (p: number) => { update(v: number): number }][] {
  return [
    ["sma", (p) => ind.sma(x, p), (p) => new ind.SmaState(p)],
    ["ema", (p) => ind.ema(x, p), (p) => new ind.EmaState(p)],
    ["rma", (p) => ind.rma(x, p), (p) => new ind.RmaState(p)],
    ["rsi", (p) => ind.rsi(x, p), (p) => new ind.RsiState(p)],
    ["rollingStdev", (p) => ind.rollingStdev(x, p), (p) => new ind.RollingStdevState(p)],
    ["rollingMax", (p) => ind.rollingMax(x, p), (p) => new ind.RollingMaxState(p)],
    ["rollingMin", (p) => ind.rollingMin(x, p), (p) => new ind.RollingMinState(p)],
    ["roc", (p) => ind.roc(x, p), (p) => new ind.RocState(p)],
  ];
}

Deno.test("single-input kernels: batch == incremental for periods 1..6 and 50", () => {
  const x = nastyCandles(600, "periods").close;
  for (const [name, batch, make] of singleInputKernels(x)) {
    for (const p of [1, 2, 3, 4, 5, 6, 50]) {
      const s = make(p);
      assertSameSeries(liveRun(x.length, (i) => s.update(x[i])).value, batch(p), `${name}(${p})`);
    }
  }
});

Deno.test("bad periods and mismatched columns throw RangeError", () => {
  const x = f64([1, 2, 3]);
  for (const p of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => ind.sma(x, p), RangeError);
    assert.throws(() => new ind.EmaState(p), RangeError);
  }
  assert.throws(() => ind.obv(x, f64([1, 2])), RangeError);
  assert.throws(() => ind.bollinger(x, 2, NaN), RangeError);
});

Deno.test("SMA: hand-computed values and warm-up positions", () => {
  assertSameSeries(ind.sma(f64([1, 2, 3, 4, 5]), 3), f64([NaN, NaN, 2, 3, 4]), "sma3");
  assertSameSeries(ind.sma(f64([1, 2, 3, 4]), 1), f64([1, 2, 3, 4]), "sma1");
  assertSameSeries(ind.sma(f64([1, 2]), 3), f64([NaN, NaN]), "too short");
  // A NaN blanks every window that contains it, then the SMA recovers.
  assertSameSeries(
    ind.sma(f64([1, NaN, 3, 4, 5, 6]), 2),
    f64([NaN, NaN, NaN, 3.5, 4.5, 5.5]),
    "nan",
  );
});

Deno.test("SMA: re-summing every period keeps it exact after a huge outlier", () => {
  const x = new Float64Array(100).fill(1);
  x[10] = 1e17; // a running sum alone would keep a residue of ~16 forever
  const out = ind.sma(x, 4);
  for (let i = 30; i < 100; i++) assert.equal(out[i], 1, `index ${i}`);
});

Deno.test("EMA: seeded with the SMA of the first period values", () => {
  // alpha = 2 / (3 + 1) = 0.5; seed (2 + 4 + 6) / 3 = 4; then (8 - 4) * 0.5 + 4 = 6; (4 - 6) * 0.5 + 6 = 5
  assertSameSeries(ind.ema(f64([2, 4, 6, 8, 4]), 3), f64([NaN, NaN, 4, 6, 5]), "ema3");
  // A NaN is skipped: it does not count toward the warm-up. alpha = 2/3: (5 - 2) * 2/3 + 2 = 4.
  assertSameSeries(ind.ema(f64([1, NaN, 3, 5]), 2), f64([NaN, NaN, 2, 4]), "ema nan");
  assertSameSeries(ind.ema(f64([7, 9]), 1), f64([7, 9]), "ema1 is the input");
});

Deno.test("RMA: Wilder smoothing with alpha 1/period after an SMA seed", () => {
  // seed (1 + 2) / 2 = 1.5; (3 - 1.5) / 2 + 1.5 = 2.25; (5 - 2.25) / 2 + 2.25 = 3.625
  assertSameSeries(ind.rma(f64([1, 2, 3, 5]), 2), f64([NaN, 1.5, 2.25, 3.625]), "rma2");
});

Deno.test("RSI: hand-computed Wilder values; first value at index period", () => {
  // changes +1 +1 -1 +2 0. At index 3: gain 2/3, loss 1/3, RS 2 -> 66.67.
  // Index 4: gain (2/3 * 2 + 2) / 3 = 10/9, loss (1/3 * 2) / 3 = 2/9, RS 5 -> 83.33; index 5 the same RS.
  const r = ind.rsi(f64([10, 11, 12, 11, 13, 13]), 3);
  assertSameSeries(r.subarray(0, 3), f64([NaN, NaN, NaN]), "warm-up");
  assertCloseSeries(r.subarray(3), f64([200 / 3, 250 / 3, 250 / 3]), "values", 1e-13);
  assertSameSeries(ind.rsi(f64([5, 5, 5, 5]), 2), f64([NaN, NaN, 100, 100]), "flat is 100");
  assertSameSeries(ind.rsi(f64([5, 4, 3, 2]), 2), f64([NaN, NaN, 0, 0]), "falling is 0");
});

Deno.test("ATR, ADX and stochastic: first values where documented", () => {
  const c = candles(200, "warmup");
  const firstValue = (xs: Float64Array) => xs.findIndex((v) => !Number.isNaN(v));
  assert.equal(firstValue(ind.atr(c.high, c.low, c.close, 14)), 14);
  const a = ind.adx(c.high, c.low, c.close, 14);
  assert.equal(firstValue(a.plusDi), 14);
  assert.equal(firstValue(a.minusDi), 14);
  assert.equal(firstValue(a.adx), 27);
  const s = ind.stochastic(c.high, c.low, c.close, 14, 3, 5);
  assert.equal(firstValue(s.k), 15);
  assert.equal(firstValue(s.d), 19);
  const m = ind.macd(c.close, 12, 26, 9);
  assert.equal(firstValue(m.macd), 25);
  assert.equal(firstValue(m.signal), 33);
  assert.equal(firstValue(m.histogram), 33);
});

Deno.test("rolling max/min/stdev, ROC, OBV: small examples", () => {
  const x = f64([3, 1, 2, 5]);
  assertSameSeries(ind.rollingMax(x, 2), f64([NaN, 3, 2, 5]), "max");
  assertSameSeries(ind.rollingMin(x, 2), f64([NaN, 1, 1, 2]), "min");
  assertSameSeries(
    ind.rollingMax(f64([1, 2, NaN, 1, 0, -1]), 2),
    f64([NaN, 2, NaN, NaN, 1, 0]),
    "nan",
  );
  assertSameSeries(ind.rollingStdev(f64([1, 3, 5, 5]), 2), f64([NaN, 1, 1, 0]), "stdev");
  assertSameSeries(ind.roc(f64([100, 110, 121]), 1), f64([NaN, 10, 10]), "roc");
  assertSameSeries(ind.obv(f64([10, 11, 10, 10]), f64([5, 2, 3, 4])), f64([0, 2, -1, -1]), "obv");
});

Deno.test("rolling stdev stays accurate at BTC prices (no sum-of-squares cancellation)", () => {
  // The naive sqrt(E[x^2] - E[x]^2) loses ~1e-3 here (eps * 65000^2 = 1e-6 in the variance).
  const x = new Float64Array(5000);
  for (let i = 0; i < x.length; i++) x[i] = 65_000 + (i % 2 === 0 ? 0.005 : -0.005);
  const sd = ind.rollingStdev(x, 20);
  for (let i = 19; i < x.length; i++) assert.ok(Math.abs(sd[i] - 0.005) < 1e-9, `index ${i}`);
});

Deno.test("vwapSession restarts at each UTC midnight", () => {
  const day = 86_400_000;
  const ts = f64([day - 120_000, day - 60_000, day, day + 60_000]);
  const h = f64([11, 13, 21, 23]);
  const l = f64([9, 11, 19, 21]);
  const c = f64([10, 12, 20, 22]);
  const v = f64([1, 1, 2, 2]);
  assertSameSeries(ind.vwapSession(h, l, c, v, ts), f64([10, 11, 20, 21]), "session");
  // pv = 10 + 12 + 2 * 20 = 62 over volume 4, then + 2 * 22 = 106 over 6
  assertSameSeries(ind.vwap(h, l, c, v), f64([10, 11, 62 / 4, 106 / 6]), "cumulative");
});

Deno.test("SMA, EMA, RMA: batch == incremental across the kernels' inner runs of 4096 indices", () => {
  // a series longer than three inner runs, with NaNs right at and around their boundaries
  const x = nastyCandles(3 * 4096 + 777, "runs").close;
  for (const k of [4095, 4096, 4097, 8191, 8192, 12_288, 12_300]) x[k] = NaN;
  const pairs = singleInputKernels(x).filter(([name]) => ["sma", "ema", "rma"].includes(name));
  for (const [name, batch, make] of pairs) {
    for (const p of [1, 2, 3, 7, 30, 4095, 4096, 5000]) {
      const s = make(p);
      const b = batch(p);
      assertSameSeries(liveRun(x.length, (i) => s.update(x[i])).value, b, `${name}(${p})`);
      if (p <= 30) assert.ok(b.some((v) => Number.isFinite(v)), `${name}(${p}) has values`);
    }
  }
});
