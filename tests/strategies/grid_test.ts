// grid: one level at a time; buy a cross down through a line, target the next line up.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { crossedDown, crossedUp, gridLevels } from "../../src/strategy/grid_levels.ts";
import { checkExits, decided, fromCloses, HOUR, T0 } from "./support.ts";

const run = (params: Record<string, unknown>, closes: number[]) => {
  const candles = fromCloses(closes, 0.05);
  return backtest({ strategy: "grid", symbol: "T/USDT", timeframe: "1h", params }, candles).then((
    r,
  ) => ({ r, candles }));
};

Deno.test("gridLevels and crossings: lowest line crossed down, highest crossed up, touches count", () => {
  const lv = gridLevels(100, 110, 11);
  assert.deepEqual(Array.from(lv), [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
  assert.equal(crossedDown(lv, 106.2, 103.9, 9), 4);
  assert.equal(crossedDown(lv, 105.5, 105, 9), 5, "landing on a line counts");
  assert.equal(crossedDown(lv, 105, 104.5, 9), -1, "starting on it does not");
  assert.equal(crossedDown(lv, 110.5, 109.5, 9), -1, "the top line is never bought");
  assert.equal(crossedUp(lv, 101.5, 104.2, 1), 4);
  assert.equal(crossedUp(lv, 99, 100.5, 1), -1, "the bottom line is never sold");
});

Deno.test("grid: fixed range, long on the cross down, TP at the next line, SL below the range", async () => {
  const closes = [105.5, 104.7, 105.3, 106.2, 103.9, 102.5, 98.5, 99.5];
  const { r, candles } = await run({ lower: 100, upper: 110, levels: 11, sl_pct: 1 }, closes);
  // candle 3 crossed up through 106 while flat (the target was hit): the short is the risk
  // gate's to refuse (direction long)
  assert.deepEqual(decided(r, candles), [
    [1, "long", "open"],
    [3, "short", "direction"],
    [4, "long", "open"],
  ]);
  const opens = r.decisions.filter((d) => d.code === "open");
  assert.deepEqual(
    opens.map((d) => [d.signal.tp, d.signal.sl]),
    [[106, 99], [105, 99]],
  );
  assert.match(
    opens[1].signal.reason,
    /^close 103\.9 crossed down through grid line 5\/11 at 104 \(range 100\.\.110\); target the next line 105, stop 99 1% below the range$/,
  );
  assert.deepEqual(
    r.trades.map((t) => [t.entry_ts, t.entry_price, t.exit_ts, t.exit_price, t.exit_reason]),
    [
      [T0 + 2 * HOUR, 104.7, T0 + 3 * HOUR, 106, "tp"],
      [T0 + 5 * HOUR, 103.9, T0 + 6 * HOUR, 99, "sl"],
    ],
  );
  // candle 6 crossed down through 102, 101 and 100 but closed below the stop: no new entry
});

Deno.test("grid: a 0 bound is measured on the first range_bars candles, then trading starts", async () => {
  // bars 0..2: low 99.95, high 106.05 (wick 0.05); a cross on bar 2 is still in the range window
  const closes = [100, 106, 103, 104, 101.5, 104.5];
  const { r, candles } = await run({ levels: 4, range_bars: 3 }, closes);
  assert.deepEqual(decided(r, candles), [[4, "long", "open"], [5, "short", "direction"]]);
  assert.match(r.decisions[0].signal.reason, /\(range 99\.95\.\.106\.05\)/);
  assert.ok(Math.abs(r.decisions[0].signal.tp! - (99.95 + 2 * (106.05 - 99.95) / 3)) < 1e-9);
  assert.equal(r.trades[0]?.exit_reason, "tp");
});

Deno.test("grid: synthetic 1h seed 1 trades with TP and SL exits; direction both shorts too", async () => {
  const candles = synthCandles({ bars: 3000, seed: 1, timeframe: "1h" });
  for (const direction of ["long", "both"]) {
    const r = await backtest(
      { strategy: "grid", symbol: "SYN/USDT", timeframe: "1h", params: { direction } },
      candles,
    );
    assert.ok(r.trades.length >= 20, `trades: ${r.trades.length}`);
    const exits = checkExits(r);
    assert.deepEqual(
      Object.keys(exits).sort(),
      ["sl", "tp"],
      "only the bracket exits a grid trade",
    );
    // silent while in a position: every signal opens, or is a short the gate refuses (long only)
    const codes = new Set(r.decisions.map((d) => `${d.signal.side} ${d.code}`));
    const allowed = direction === "long"
      ? ["long open", "short direction"]
      : ["long open", "short open"];
    assert.deepEqual([...codes].filter((c) => !allowed.includes(c)), []);
    if (direction === "both") assert.ok(r.trades.some((t) => t.side === "short"));
  }
});
