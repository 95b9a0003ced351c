// Ranking: percentile ranks, the appeal formula, filters, top-N and tie order on hand-made series.

import assert from "node:assert/strict";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";
import { ConfigError } from "../../src/core/errors.ts";
import {
  appealScore,
  DEFAULT_WEIGHTS,
  percentileRanks,
  rankSymbols,
  resolveWeights,
  type ScanInput,
} from "../../src/scanner/rank.ts";
import { isExcluded, keepSymbol, parseSymbol } from "../../src/scanner/universe.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * `n` 1h candles whose closes zigzag by ±`swing` (log) around a line rising `drift` a bar;
 * each bar opens at the previous close; volume `volume` a bar.
 */
function series(n: number, swing: number, drift: number, volume: number): CandleColumns {
  const c = allocColumns(n);
  let prev = 100;
  for (let i = 0; i < n; i++) {
    const close = 100 * Math.exp(drift * i + (i % 2 ? swing : -swing));
    c.ts[i] = T0 + i * H;
    c.open[i] = prev;
    c.close[i] = close;
    c.high[i] = Math.max(prev, close) * 1.001;
    c.low[i] = Math.min(prev, close) * 0.999;
    c.volume[i] = volume;
    prev = close;
  }
  return c;
}

// A: wild chop, thin. B: trending, middling swings, deep. C: calm, slow drift, middling depth.
const A = series(100, 0.02, 0, 10);
const B = series(100, 0.01, 0.004, 1000);
const C = series(100, 0.002, 0.0005, 100);
const inputs = (tf = "1h"): ScanInput[] => [
  { symbol: "A/USDT", timeframe: tf, candles: A },
  { symbol: "B/USDT", timeframe: tf, candles: B },
  { symbol: "C/USDT", timeframe: tf, candles: C },
];

Deno.test("percentileRanks: least 0, greatest 1, ties share the mid rank, NaN gets 0", () => {
  assert.deepEqual(percentileRanks([10, 30, 20, NaN]), [0, 1, 0.5, 0]);
  assert.deepEqual(percentileRanks([5, 5, 1]), [0.75, 0.75, 0]);
  assert.deepEqual(percentileRanks([7]), [1]);
  assert.deepEqual(percentileRanks([]), []);
});

Deno.test("appeal score = 100 * weighted mean of the three percentile ranks", () => {
  assert.equal(appealScore({ volatility: 1, liquidity: 0.5, trend: 0 }, DEFAULT_WEIGHTS), 65);
  assert.equal(
    appealScore({ volatility: 0, liquidity: 1, trend: 1 }, {
      volatility: 2,
      liquidity: 1,
      trend: 1,
    }),
    50,
  );
  assert.deepEqual(resolveWeights({ trend: 0 }), { volatility: 0.5, liquidity: 0.3, trend: 0 });
  assert.throws(() => resolveWeights({ volatility: -1 }), ConfigError);
  assert.throws(() => resolveWeights({ volatility: 0, liquidity: 0, trend: 0 }), /all 0/);
});

Deno.test("rankSymbols: parts are percentile ranks within the timeframe; score by the formula", () => {
  const { rows, skipped } = rankSymbols(inputs(), { window: 100 });
  assert.deepEqual(skipped, []);
  const by = Object.fromEntries(rows.map((r) => [r.symbol, r]));
  // The series were built so that the raw metrics order like this:
  assert.ok(by["A/USDT"].yangZhang > by["B/USDT"].yangZhang);
  assert.ok(by["B/USDT"].yangZhang > by["C/USDT"].yangZhang);
  assert.ok(by["B/USDT"].quoteVolumePerDay > by["C/USDT"].quoteVolumePerDay);
  assert.ok(by["C/USDT"].quoteVolumePerDay > by["A/USDT"].quoteVolumePerDay);
  assert.ok(by["B/USDT"].efficiency > by["C/USDT"].efficiency);
  assert.ok(by["C/USDT"].efficiency > by["A/USDT"].efficiency);
  const parts = (s: string) => [by[s].pVolatility, by[s].pLiquidity, by[s].pTrend];
  assert.deepEqual(parts("A/USDT"), [1, 0, 0]);
  assert.deepEqual(parts("B/USDT"), [0.5, 1, 1]);
  assert.deepEqual(parts("C/USDT"), [0, 0.5, 0.5]);
  // 100 * (0.5 pv + 0.3 pl + 0.2 pt): B 75, A 50, C 25.
  assert.deepEqual(rows.map((r) => [r.rank, r.symbol, r.score]), [
    [1, "B/USDT", 75],
    [2, "A/USDT", 50],
    [3, "C/USDT", 25],
  ]);
});

Deno.test("weights and metric choices change the order", () => {
  const volOnly = rankSymbols(inputs(), { weights: { volatility: 1, liquidity: 0, trend: 0 } });
  assert.deepEqual(volOnly.rows.map((r) => r.symbol), ["A/USDT", "B/USDT", "C/USDT"]);
  const liqOnly = rankSymbols(inputs(), { weights: { volatility: 0, liquidity: 1, trend: 0 } });
  assert.deepEqual(liqOnly.rows.map((r) => r.symbol), ["B/USDT", "C/USDT", "A/USDT"]);
  const atr = rankSymbols(inputs(), { volMetric: "atrPct", trendMetric: "adx" });
  assert.equal(atr.rows.find((r) => r.symbol === "A/USDT")!.pVolatility, 1);
  assert.throws(
    () => rankSymbols(inputs(), { volMetric: "nope" as "atrPct" }),
    /Volatility metric "nope" is unknown/,
  );
});

Deno.test("filters: minimum quote volume, quote, type, exclusions; each recorded with a reason", () => {
  const extra: ScanInput[] = [
    ...inputs(),
    { symbol: "D/BTC", timeframe: "1h", candles: B },
    { symbol: "E/USDT:USDT", timeframe: "1h", candles: B },
  ];
  const minQ = by(rankSymbols(extra, { minQuoteVolume: 150_000, quote: "USDT", types: ["spot"] }));
  assert.deepEqual(minQ.rows, ["B/USDT", "C/USDT"]);
  assert.deepEqual(minQ.skipped, [
    "A/USDT filter quote volume",
    "D/BTC filter left out",
    "E/USDT:USDT filter left out",
  ]);
  // Ranks are recomputed among what passed: C is now the least volatile of two.
  const r = rankSymbols(inputs(), { minQuoteVolume: 150_000 }).rows;
  assert.deepEqual(r.map((x) => [x.symbol, x.pVolatility]), [["B/USDT", 1], ["C/USDT", 0]]);
  const ex = by(rankSymbols(extra, { exclude: ["a", "B/USDT", "E/USDT"] }));
  assert.deepEqual(ex.rows, ["C/USDT", "D/BTC"]);
});

Deno.test("short or unsound series are skipped, top N per timeframe, ties broken by volume then name", () => {
  const bad = series(100, 0.01, 0, 5);
  bad.high[50] = bad.low[50] / 2;
  const { rows, skipped } = rankSymbols([
    ...inputs("1h"),
    { symbol: "S/USDT", timeframe: "1h", candles: series(40, 0.01, 0, 5) },
    { symbol: "X/USDT", timeframe: "1h", candles: bad },
    ...inputs("4h").map((i) => ({ ...i, candles: i.candles })),
  ], { window: 100, top: 2 });
  assert.deepEqual(skipped.map((s) => `${s.symbol} ${s.stage}`), [
    "S/USDT candles",
    "X/USDT metrics",
  ]);
  assert.match(skipped[0].reason, /only 40 candles \(a window needs at least 50\)/);
  assert.match(skipped[1].reason, /2024-01-03T02:00:00\.000Z has high/);
  assert.deepEqual(rows.map((r) => `${r.timeframe} ${r.rank} ${r.symbol}`), [
    "1h 1 B/USDT",
    "1h 2 A/USDT",
    "4h 1 B/USDT",
    "4h 2 A/USDT",
  ]);
  // The window keeps the newest candles only.
  assert.equal(rankSymbols(inputs(), { window: 30 }).rows[0].first, T0 + 70 * H);
  // Equal scores: more quote volume first, then by name.
  const noLiquidity = { weights: { liquidity: 0 } };
  const twin = rankSymbols([
    { symbol: "Z/USDT", timeframe: "1h", candles: C },
    { symbol: "Y/USDT", timeframe: "1h", candles: C },
    { symbol: "W/USDT", timeframe: "1h", candles: series(100, 0.002, 0.0005, 200) },
  ], noLiquidity);
  assert.deepEqual(twin.rows.map((r) => [r.symbol, r.score]), [
    ["W/USDT", 50],
    ["Y/USDT", 50],
    ["Z/USDT", 50],
  ]);
});

Deno.test("symbol parsing and filters", () => {
  assert.deepEqual(parseSymbol("BTC/USDT"), { base: "BTC", quote: "USDT", type: "spot" });
  assert.deepEqual(parseSymbol("ETH/USDT:USDT"), {
    base: "ETH",
    quote: "USDT",
    settle: "USDT",
    type: "swap",
  });
  assert.equal(parseSymbol("BTC/USD:BTC-250328").type, "future");
  assert.equal(keepSymbol("BTC/USD:BTC-250328"), false);
  assert.equal(keepSymbol("BTC/USDT:USDT", { quote: "usdt", types: ["swap"] }), true);
  assert.equal(keepSymbol("BTC/USDT", { types: ["swap"] }), false);
  assert.equal(isExcluded("USDC/USDT", ["usdc"]), true);
  assert.equal(isExcluded("BTC/USDT:USDT", ["BTC/USDT"]), true);
  assert.equal(isExcluded("BTC/USDT", ["BTC/USDT:USDT"]), false);
  assert.equal(isExcluded("BTCDOM/USDT", ["BTC"]), false);
});

function by(r: ReturnType<typeof rankSymbols>) {
  return {
    rows: r.rows.map((x) => x.symbol).sort(),
    skipped: r.skipped.map((s) =>
      `${s.symbol} ${s.stage} ${s.reason.split(" ").slice(0, 2).join(" ")}`
    ),
  };
}
