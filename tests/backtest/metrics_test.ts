// Backtest metrics: hand-computed returns, ratios, drawdowns, trade stats, nulls and the table.

import assert from "node:assert/strict";
import { InputError } from "../../src/core/errors.ts";
import type { ExitReason, PositionSide, Trade } from "../../src/core/trading.ts";
import {
  computeMetrics,
  formatDuration,
  formatMetrics,
  type Metrics,
  type MetricsInput,
} from "../../src/backtest/metrics.ts";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A metrics input for an equity curve on `tf` bars from T0, no trades unless given. */
function input(equity: number[], tf = DAY, extra: Partial<MetricsInput> = {}): MetricsInput {
  return {
    equity: Float64Array.from(equity),
    ts: Float64Array.from(equity, (_, i) => T0 + i * tf),
    timeframeMs: tf,
    trades: [],
    initialEquity: 1000,
    fees: 0,
    funding: 0,
    exposureBars: 0,
    ...extra,
  };
}

function trade(
  pnl: number,
  side: PositionSide = "long",
  exit_reason: ExitReason = "signal",
): Trade {
  return {
    symbol: "BTC/USDT",
    side,
    entry_ts: T0,
    exit_ts: T0 + HOUR,
    qty: 1,
    entry_price: 100,
    exit_price: 100 + pnl,
    fees: 0,
    funding: 0,
    pnl,
    exit_reason,
  };
}

function near(actual: number | null, expected: number, what = "") {
  assert.ok(actual !== null, `${what}: expected ${expected}, got null`);
  const tol = 1e-12 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual}`);
}

/** Every value is a finite number, a non-negative integer count, null, or the exits object. */
function assertJsonClean(m: Metrics) {
  const back = JSON.parse(JSON.stringify(m));
  assert.deepEqual(back, m);
  for (const [k, v] of Object.entries(m)) {
    if (k === "exits_by_reason") continue;
    assert.ok(v === null || Number.isFinite(v), `${k} = ${v}`);
  }
}

// Per-bar returns +10 %, -20 %, +10 %, +50 %, -10 % from 1000.
const CURVE = [1100, 880, 968, 1452, 1306.8];

Deno.test("5-bar daily curve: returns, Sharpe, Sortino, CAGR, Calmar, drawdown", () => {
  const m = computeMetrics(input(CURVE, DAY, { exposureBars: 2, fees: 12.5, funding: -3 }));
  // mean 0.08; squared deviations .0004 + .0784 + .0004 + .1764 + .0324 = .288 → var .072.
  // downside: (0.2² + 0.1²) / 5 = 0.01 → 0.1.
  near(m.total_return, 0.3068, "total_return");
  near(m.sharpe, (0.08 / Math.sqrt(0.072)) * Math.sqrt(365), "sharpe");
  near(m.sortino, 0.8 * Math.sqrt(365), "sortino");
  const cagr = 1.3068 ** (365 / 5) - 1;
  near(m.cagr, cagr, "cagr");
  near(m.max_drawdown, 0.2, "max_drawdown");
  near(m.calmar, cagr / 0.2, "calmar");
  // Peak 1100 at bar 0's close, regained at bar 3's close: 3 days. Later 1452 → end: 1 day.
  assert.equal(m.max_drawdown_duration_ms, 3 * DAY);
  assert.equal(m.exposure, 0.4);
  assert.equal(m.initial_equity, 1000);
  assert.equal(m.final_equity, 1306.8);
  assert.equal(m.fees, 12.5);
  assert.equal(m.funding, -3);
  assertJsonClean(m);
});

Deno.test("Sharpe and Sortino scale with sqrt(periods per year): 1m vs 1h vs 1d", () => {
  const [m1, h1, d1] = [MIN, HOUR, DAY].map((tf) => computeMetrics(input(CURVE, tf)));
  near(m1.sharpe! / h1.sharpe!, Math.sqrt(60), "1m/1h sharpe");
  near(h1.sharpe! / d1.sharpe!, Math.sqrt(24), "1h/1d sharpe");
  near(m1.sortino! / d1.sortino!, Math.sqrt(1440), "1m/1d sortino");
  near(m1.sharpe, (0.08 / Math.sqrt(0.072)) * Math.sqrt(525_600), "1m sharpe");
  near(h1.sharpe, (0.08 / Math.sqrt(0.072)) * Math.sqrt(8_760), "1h sharpe");
});

Deno.test("CAGR: null under a day, defined from exactly a day, null when it overflows", () => {
  const short = computeMetrics(input(CURVE, HOUR));
  assert.equal(short.cagr, null);
  assert.equal(short.calmar, null);
  assert.ok(short.sharpe !== null);

  const day = computeMetrics(input(Array.from({ length: 24 }, (_, i) => 1000 + i), HOUR));
  near(day.cagr, 1.023 ** 365 - 1, "one-day cagr");

  const huge = computeMetrics(input([...Array(1439).fill(1000), 10_000], MIN));
  assert.equal(huge.cagr, null); // 10^365 is Infinity
  assertJsonClean(huge);
});

Deno.test("drawdown duration: a curve that recovers and one that never does", () => {
  // Bar 0 peaks; recovered at bar 2 (2 bars); then from bar 2's close to the end (3 bars).
  const tail = computeMetrics(input([1100, 1000, 1100, 1050, 1040, 1030], HOUR));
  assert.equal(tail.max_drawdown_duration_ms, 3 * HOUR);
  near(tail.max_drawdown, 100 / 1100, "tail drawdown");

  // Never regains 1200 (bar 0's close): 4 hours to the last bar's close.
  const never = computeMetrics(input([1200, 1100, 900, 1000, 1150], HOUR));
  assert.equal(never.max_drawdown_duration_ms, 4 * HOUR);
  near(never.max_drawdown, 0.25, "never drawdown");

  // The initial equity is the first peak, marked at the first bar's open; equal counts as regained.
  const fromStart = computeMetrics(input([900, 1000, 1000], HOUR));
  assert.equal(fromStart.max_drawdown_duration_ms, 2 * HOUR);
  near(fromStart.max_drawdown, 0.1, "from start");

  const up = computeMetrics(input([1000, 1010, 1010, 1020], HOUR));
  assert.equal(up.max_drawdown, 0);
  assert.equal(up.max_drawdown_duration_ms, 0);
  assert.equal(up.sortino, null); // no losing bar
  assert.equal(up.calmar, null);
});

Deno.test("4 trades: win rate, profit factor, expectancy, averages, extremes, streaks, exits", () => {
  const trades = [
    trade(100, "long", "tp"),
    trade(60, "long", "tp"),
    trade(-40, "short", "sl"),
    trade(-20, "long", "signal"),
  ];
  const m = computeMetrics(input(CURVE, DAY, { trades }));
  assert.equal(m.trades, 4);
  assert.equal(m.long_trades, 3);
  assert.equal(m.short_trades, 1);
  assert.equal(m.win_rate, 0.5);
  near(m.profit_factor, 160 / 60, "profit_factor");
  assert.equal(m.expectancy, 25);
  assert.equal(m.avg_win, 80);
  assert.equal(m.avg_loss, -30);
  assert.equal(m.best_trade, 100);
  assert.equal(m.worst_trade, -40);
  assert.equal(m.longest_win_streak, 2);
  assert.equal(m.longest_loss_streak, 2);
  assert.deepEqual(m.exits_by_reason, { tp: 2, sl: 1, signal: 1 });
  assertJsonClean(m);
});

Deno.test("exit reasons are listed in ExitReason order, whatever order they occur in", () => {
  const trades = [trade(1, "long", "manual"), trade(1, "long", "signal"), trade(1, "long", "tp")];
  const m = computeMetrics(input(CURVE, DAY, { trades }));
  assert.deepEqual(Object.keys(m.exits_by_reason), ["tp", "signal", "manual"]);
});

Deno.test("a breakeven trade breaks both streaks and is neither win nor loss", () => {
  const pnls = [10, 20, 0, 30, -5, -5, 0, -5, 40, 50, 60];
  const m = computeMetrics(input(CURVE, DAY, { trades: pnls.map((p) => trade(p)) }));
  assert.equal(m.longest_win_streak, 3);
  assert.equal(m.longest_loss_streak, 2);
  near(m.win_rate, 6 / 11, "win_rate counts breakevens in the denominator");
  assert.equal(m.avg_win, 35);
  assert.equal(m.avg_loss, -5);
  near(m.profit_factor, 210 / 15, "profit_factor");
});

Deno.test("no trades: trade statistics are null or zero, never NaN", () => {
  const m = computeMetrics(input(CURVE));
  for (const k of ["win_rate", "profit_factor", "expectancy", "avg_win", "avg_loss"] as const) {
    assert.equal(m[k], null, k);
  }
  assert.equal(m.best_trade, null);
  assert.equal(m.worst_trade, null);
  assert.equal(m.trades, 0);
  assert.equal(m.longest_win_streak, 0);
  assert.equal(m.longest_loss_streak, 0);
  assert.deepEqual(m.exits_by_reason, {});
  assertJsonClean(m);
});

Deno.test("no losses: profit factor and average loss are null", () => {
  const m = computeMetrics(input([1010, 1030], DAY, { trades: [trade(10), trade(20)] }));
  assert.equal(m.profit_factor, null);
  assert.equal(m.avg_loss, null);
  assert.equal(m.longest_loss_streak, 0);
  assert.equal(m.win_rate, 1);
  assert.equal(m.sortino, null);
  assert.equal(m.calmar, null);
  assert.ok(m.sharpe !== null);
  assertJsonClean(m);
  const onlyLosses = computeMetrics(input(CURVE, DAY, { trades: [trade(-10)] }));
  assert.equal(onlyLosses.profit_factor, 0);
  assert.equal(onlyLosses.avg_win, null);
});

Deno.test("no bars, one bar, a flat curve and a wiped-out account stay JSON-clean", () => {
  const empty = computeMetrics(input([]));
  assert.equal(empty.final_equity, 1000);
  assert.equal(empty.total_return, 0);
  for (const k of ["cagr", "sharpe", "sortino", "calmar", "exposure"] as const) {
    assert.equal(empty[k], null, k);
  }
  assertJsonClean(empty);

  const one = computeMetrics(input([990]));
  assert.equal(one.sharpe, null); // sample stdev needs 2 bars
  near(one.sortino, -1 * Math.sqrt(365), "one-bar sortino"); // mean -0.01 / deviation 0.01
  assertJsonClean(one);

  const flat = computeMetrics(input([1000, 1000, 1000]));
  assert.equal(flat.sharpe, null);
  assert.equal(flat.sortino, null);
  assert.equal(flat.cagr, 0);
  assertJsonClean(flat);

  const wiped = computeMetrics(input([500, 0, 0]));
  assert.equal(wiped.cagr, -1);
  assert.equal(wiped.max_drawdown, 1);
  assert.equal(wiped.total_return, -1);
  assertJsonClean(wiped);
});

Deno.test("bad input is refused with an InputError", () => {
  const bad: Partial<MetricsInput>[] = [
    { ts: new Float64Array([T0]) },
    { initialEquity: 0 },
    { timeframeMs: 0 },
    { fees: NaN },
    { exposureBars: 6 },
    { equity: Float64Array.from([1, 2, NaN, 4, 5]) },
    { ts: Float64Array.from([T0, T0 + DAY, T0 + DAY, T0 + 3 * DAY, T0 + 4 * DAY]) },
    { trades: [trade(Infinity)] },
  ];
  for (const extra of bad) {
    assert.throws(() => computeMetrics(input(CURVE, DAY, extra)), InputError);
  }
});

Deno.test("a year of 1m bars gives clean output (speed is measured in deno task bench)", () => {
  const n = 525_600;
  const equity = new Float64Array(n);
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    equity[i] = 1000 * (1 + 0.1 * Math.sin(i / 5000)) + (i % 7);
    ts[i] = T0 + i * MIN;
  }
  const args = { ...input([], MIN), equity, ts, exposureBars: n / 2 };
  const m = computeMetrics(args);
  assert.equal(m.exposure, 0.5);
  assertJsonClean(m);
});

Deno.test("formatDuration: two largest units", () => {
  assert.equal(formatDuration(3 * DAY + 4 * HOUR + 5 * MIN), "3d 4h");
  assert.equal(formatDuration(3 * DAY), "3d");
  assert.equal(formatDuration(2 * HOUR + 5 * MIN), "2h 5m");
  assert.equal(formatDuration(90_000), "1m 30s");
  assert.equal(formatDuration(45_000), "45s");
  assert.equal(formatDuration(250), "250ms");
  assert.equal(formatDuration(0), "0s");
});

Deno.test("formatMetrics: aligned table with percentages, money, durations and n/a", () => {
  const trades = [trade(1234.5, "long", "tp"), trade(-40, "short", "sl")];
  const m = computeMetrics(input(CURVE, DAY, { trades, fees: 1234.567, exposureBars: 2 }));
  const text = formatMetrics(m);
  const lines = text.split("\n");
  for (
    const s of [
      "1,000.00",
      "1,306.80",
      "30.68%",
      "20.00%",
      "3d",
      "40.00%",
      "1,234.57",
      "1 / 1",
      "50.00%",
      "-40.00",
      "sl 1",
      "tp 1",
    ]
  ) {
    assert.ok(text.includes(s), `missing ${s} in\n${text}`);
  }
  assert.match(lines[0], /^Initial equity\s+1,000\.00\s{3}Trades\s+2$/);
  // Both columns are padded, so every two-column row has the same width.
  const widths = new Set(lines.slice(0, 11).map((l) => l.length));
  assert.equal(widths.size, 1, text);
  assert.ok(lines.at(-1)!.startsWith("Exits  tp 1, sl 1"));

  const none = formatMetrics(computeMetrics(input([1000, 1000])));
  assert.ok(none.includes("n/a"));
  assert.ok(none.endsWith("Exits  none"));
  assert.ok(!/NaN|Infinity|-0\.00/.test(none), none);
});
