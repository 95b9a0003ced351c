// dca: scheduled buys when flat, take-profit exits on the average entry, silent in between.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { checkExits, decided, fromCloses } from "./support.ts";

Deno.test("dca: buy on the schedule when flat, exit at tp_pct above the entry (hand-made)", async () => {
  // 2024-01-01T00:00Z is hour 473352 since 1970, a multiple of 4: bars 0, 4, 8 are scheduled
  const closes = [100, 100, 101, 102.5, 103, 103, 103, 103, 103, 103];
  const candles = fromCloses(closes);
  const run = (tp_pct: number) =>
    backtest({
      strategy: "dca",
      symbol: "T/USDT",
      timeframe: "1h",
      params: { interval_bars: 4, tp_pct },
    }, candles);
  const r = await run(2);
  // bought at the open of bar 1 (100); 102.5 >= 102 on bar 3: exit; flat again on bar 4: buy
  assert.deepEqual(decided(r, candles), [[0, "long", "open"], [3, "exit", "close"], [
    4,
    "long",
    "open",
  ]]);
  assert.match(
    r.decisions[1].signal.reason,
    /^close 102\.5 is 2% or more above the average entry 100 \(target 102\): take profit$/,
  );
  assert.deepEqual(r.trades.map((t) => [t.entry_price, t.exit_price, t.exit_reason]), [[
    100,
    102.5,
    "signal",
  ]]);
  // bar 8 is scheduled but the position from bar 4 is open: no add (no "add" in the risk gate)
  const none = await run(0);
  assert.deepEqual(decided(none, candles), [[0, "long", "open"]]);
});

Deno.test("dca: synthetic 1h seed 1, every 24 bars with a 2 % take-profit", async () => {
  const candles = synthCandles({ bars: 3000, seed: 1, timeframe: "1h" });
  const r = await backtest(
    {
      strategy: "dca",
      symbol: "SYN/USDT",
      timeframe: "1h",
      params: { interval_bars: 24, tp_pct: 2 },
    },
    candles,
  );
  assert.ok(r.trades.length >= 3, `trades: ${r.trades.length}`);
  assert.deepEqual(Object.keys(checkExits(r)), ["signal"]);
  for (const t of r.trades) assert.ok(t.exit_price >= t.entry_price * 1.02 * 0.95, "took profit");
  for (const d of r.decisions.filter((d) => d.signal.side === "long")) {
    assert.equal(((d.ts - 3_600_000) / 3_600_000) % 24, 0, "buys on the schedule");
  }
});
