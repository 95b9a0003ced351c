// technicalindicators adapters: alignment to the candle index, definitions and known quirks.

import assert from "node:assert/strict";
import * as ti from "technicalindicators";
import type { CandleColumns } from "../../src/core/candles.ts";
import * as ind from "../../src/indicators/mod.ts";
import { assertSameSeries, candles, gappyCandles } from "./support.ts";

const N = 1500;
const c = gappyCandles(N);
const firstValue = (xs: Float64Array) => xs.findIndex((v) => !Number.isNaN(v));

/** Plain-array OHLC of candles 0..t (what technicalindicators' pattern functions take). */
function prefix(cols: CandleColumns, from: number, to: number) {
  const part = (x: Float64Array) => Array.from(x.subarray(from, to + 1));
  return {
    open: part(cols.open),
    high: part(cols.high),
    low: part(cols.low),
    close: part(cols.close),
  };
}

Deno.test("alignTail puts values at the end, NaN in front, undefined as NaN", () => {
  assertSameSeries(ind.alignTail([5, 6], 4), new Float64Array([NaN, NaN, 5, 6]), "basic");
  assertSameSeries(ind.alignTail([undefined, 2], 2), new Float64Array([NaN, 2]), "undefined");
  assertSameSeries(ind.alignTail([], 2), new Float64Array([NaN, NaN]), "empty");
  assert.throws(() => ind.alignTail([1, 2, 3], 2), RangeError);
});

Deno.test("ichimoku: lines start at index 51, mid-ranges of the windows, cloud = spans shifted 26", () => {
  const r = ind.ichimoku(c);
  const mid = (p: number) => {
    const hh = ind.rollingMax(c.high, p);
    const ll = ind.rollingMin(c.low, p);
    return hh.map((h, i) => (h + ll[i]) / 2);
  };
  const conversion = mid(9);
  const base = mid(26);
  const spanB = mid(52);
  for (const [k, col] of Object.entries(r)) {
    assert.equal(firstValue(col), k.startsWith("cloud") ? 51 + 26 : 51, k);
  }
  for (let i = 51; i < N; i++) {
    assert.equal(r.conversion[i], conversion[i]);
    assert.equal(r.base[i], base[i]);
    assert.equal(r.spanA[i], (conversion[i] + base[i]) / 2);
    assert.equal(r.spanB[i], spanB[i]);
    if (i >= 77) {
      assert.equal(r.cloudA[i], r.spanA[i - 26]);
      assert.equal(r.cloudB[i], r.spanB[i - 26]);
    }
  }
});

Deno.test("engulfing and doji: flag t is technicalindicators' test on the data known at t", () => {
  const cases: [string, Uint8Array, (d: ReturnType<typeof prefix>) => unknown][] = [
    ["bullishEngulfing", ind.bullishEngulfing(c), ti.bullishengulfingpattern],
    ["bearishEngulfing", ind.bearishEngulfing(c), ti.bearishengulfingpattern],
    ["doji", ind.doji(c), ti.doji],
  ];
  for (const [name, ours, theirs] of cases) {
    const need = name === "doji" ? 1 : 2;
    for (let t = 0; t < need - 1; t++) assert.equal(ours[t], 0, `${name} warm-up`);
    for (let t = need - 1; t < N; t += 7) {
      assert.equal(ours[t], theirs(prefix(c, 0, t)) ? 1 : 0, `${name} at ${t}`);
    }
    assert.ok(ours.some((v) => v === 1), `${name} occurs`);
  }
});

Deno.test("engulfing never fires on a candle that opens at the previous close", () => {
  // technicalindicators' engulfing needs the second open strictly beyond the first close, so
  // on gapless 24/7 data (open = previous close) it can only fire after a gap.
  const gapless = candles(N, "gapless");
  const hits = ind.bullishEngulfing(gapless);
  for (let t = 1; t < N; t++) {
    if (gapless.open[t] === gapless.close[t - 1]) assert.equal(hits[t], 0);
  }
});

Deno.test("hammer: technicalindicators' hammer patterns with the trend comparison fixed", () => {
  const ours = ind.hammer(c);
  const oursConfirmed = ind.hammerConfirmed(c);
  let bugWindows = 0;
  for (let t = 4; t < N; t++) {
    const w = prefix(c, t - 4, t);
    // technicalindicators compares one-element arrays, i.e. strings: ["12.5"] > ["5"] is false.
    const stringCmp = (closes: number[]) => {
      const period = closes.length - 1;
      const g = ti.averagegain({ values: closes, period });
      const l = ti.averageloss({ values: closes, period });
      return String(l) > String(g) === l[0] > g[0];
    };
    if (stringCmp(w.close.slice(0, 4))) {
      assert.equal(ours[t], ti.hammerpatternunconfirmed(w) ? 1 : 0, `hammer at ${t}`);
    } else {
      bugWindows++;
    }
    if (stringCmp(w.close.slice(0, 3))) {
      assert.equal(oursConfirmed[t], ti.hammerpattern(w) ? 1 : 0, `confirmed at ${t}`);
    }
  }
  assert.ok(bugWindows > 0, "the string comparison does differ on real-looking data");
  assert.ok(ind.isDownTrend([105, 100, 90, 80]));
  assert.ok(!ind.isDownTrend([80, 90, 100, 105]));
});

Deno.test("psar, cci, williamsR, mfi: alignment and definitions", () => {
  const sar = ind.psar(c);
  assert.equal(sar.length, N);
  assert.equal(sar[0], c.low[0]);
  assert.ok(sar.every((v) => Number.isFinite(v)));

  assert.equal(firstValue(ind.cci(c, 20)), 19);

  const wr = ind.williamsR(c, 14);
  assert.equal(firstValue(wr), 13);
  const hh = ind.rollingMax(c.high, 14);
  const ll = ind.rollingMin(c.low, 14);
  for (let i = 13; i < N; i++) assert.equal(wr[i], ((hh[i] - c.close[i]) / (hh[i] - ll[i])) * -100);

  // MFI skips the first candle's typical price, so it starts at period + 1; 2-decimal values.
  const m = ind.mfi(c, 14);
  assert.equal(firstValue(m), 15);
  for (let i = 15; i < N; i++) assert.equal(m[i], parseFloat(m[i].toFixed(2)));
});

Deno.test("adapters reject bad periods and mismatched columns", () => {
  assert.throws(() => ind.cci(c, 0), RangeError);
  assert.throws(() => ind.psar(c, 0.3, 0.2), RangeError);
  assert.throws(() => ind.mfi({ ...c, volume: c.volume.subarray(1) }, 14), RangeError);
  assert.throws(() => ind.ichimoku(c, { displacement: 0 }), RangeError);
});
