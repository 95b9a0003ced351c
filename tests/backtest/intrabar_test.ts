// Stop and target touched in one candle: the stop first, unless lower-timeframe candles decide.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { toColumns } from "../../src/core/candles.ts";
import { intrabarSlices } from "../../src/sim/intrabar.ts";
import { k } from "../support.ts";

const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2024, 0, 1);

// Hour 0: the signal (long, sl 95, tp 110) is given at its close. Hour 1 opens at 100 (entry),
// reaches 111 and 94: both levels. Inside hour 1 the minutes go up to 111 first, then down.
const hours = toColumns([
  k(T0, 100, 101, 99, 100, 10),
  k(T0 + H, 100, 111, 94, 100, 10),
  k(T0 + 2 * H, 100, 101, 99, 100, 10),
]);
const minutes = toColumns([
  k(T0 + H, 100, 105, 99.5, 104, 1),
  k(T0 + H + M, 104, 111, 103, 108, 1), // target reached
  k(T0 + H + 2 * M, 108, 108, 94, 96, 1), // then the stop level
  k(T0 + H + 3 * M, 96, 101, 95.5, 100, 1),
]);

const config = {
  strategy: "signals",
  params: { signals: [{ ts: T0 + H, side: "long", sl: 95, tp: 110, reason: "test" }] },
  symbol: "X/USDT",
  timeframe: "1h",
  fee: 0,
};

Deno.test("both levels in one candle and no lower candles: the stop fills first", async () => {
  const r = await backtest(config, hours);
  assert.equal(r.trades.length, 1);
  assert.equal(r.trades[0].exit_reason, "sl");
  assert.equal(r.trades[0].exit_price, 95);
  assert.equal(r.trades[0].exit_ts, T0 + H);
});

Deno.test("lower-timeframe candles decide: the target came first", async () => {
  const r = await backtest(config, hours, { lower: minutes });
  assert.equal(r.trades.length, 1);
  assert.equal(r.trades[0].exit_reason, "tp");
  assert.equal(r.trades[0].exit_price, 110);
  assert.equal(r.trades[0].exit_ts, T0 + H + M);
  const plain = await backtest(config, hours);
  assert.notEqual(r.run_id, plain.run_id);
});

Deno.test("intrabar slices: the lower candles opening inside each base candle", () => {
  const at = intrabarSlices(hours, H, minutes);
  assert.equal(at(0), undefined);
  assert.deepEqual(Array.from(at(1)!.ts), [0, 1, 2, 3].map((i) => T0 + H + i * M));
  assert.equal(at(2), undefined);
});
