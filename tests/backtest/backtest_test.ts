// backtest(): exact fills on a hand-made scenario, the end of data, determinism, bad input.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { CLOSES, EXPECTED_TRADE, MIN, scenario, T0 } from "./scenario_support.ts";

const BASE = {
  strategy: "sma_cross",
  params: { fast_period: 2, slow_period: 3 },
  symbol: "SYN/USDT",
  timeframe: "1m",
  fee: 0.001,
  qtyStep: 0.1,
};

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

Deno.test("sma_cross: signal on candle 4's close fills at candle 5's open; exit at candle 8's open", async () => {
  const r = await backtest(BASE, scenario());
  assert.equal(r.trades.length, 1);
  const [t] = r.trades;
  const { fees, pnl, ...rest } = EXPECTED_TRADE;
  assert.deepEqual({ ...t, fees: 0, pnl: 0 }, { ...rest, fees: 0, pnl: 0 });
  near(t.fees, fees);
  near(t.pnl, pnl);
  near(r.final_equity, 10_000 + pnl);
  assert.equal(r.open_position, null);
  assert.equal(r.equity_curve.ts.length, CLOSES.length);
  near(r.equity_curve.equity[4], 10_000); // decided, not filled yet
  near(r.equity_curve.equity[5], 10_000 - 9.99 + 832.5 * (13 - 12)); // marked to candle 5's close
  assert.deepEqual(r.decisions.map((d) => [d.ts, d.signal.side, d.outcome, d.code]), [
    [T0 + 5 * MIN, "long", "order", "open"],
    [T0 + 8 * MIN, "short", "order", "close"], // long only: the bearish cross closes the long
  ]);
  assert.equal(r.metrics.trades, 1);
  assert.deepEqual(r.metrics.exits_by_reason, { signal: 1 });
});

Deno.test("an order decided on the last candle never fills; an open position is reported open", async () => {
  // Stop after candle 5: the long is open, marked to the last close (13).
  const cut = scenario(CLOSES.slice(0, 6));
  const r = await backtest(BASE, cut);
  assert.equal(r.trades.length, 0);
  assert.equal(r.open_position?.side, "long");
  assert.equal(r.open_position?.qty, 832.5);
  near(r.final_equity, 10_000 - 9.99 + 832.5);
  // Cut after candle 4 (the decision): the market order never fills.
  const r2 = await backtest(BASE, scenario(CLOSES.slice(0, 5)));
  assert.equal(r2.open_position, null);
  assert.equal(r2.decisions.length, 1);
  near(r2.final_equity, 10_000);
  // With closeAtEnd the open long is closed at the last close and reported as a trade.
  const r3 = await backtest({ ...BASE, closeAtEnd: true }, cut);
  assert.equal(r3.open_position, null);
  assert.equal(r3.trades[0].exit_reason, "end_of_data");
  assert.equal(r3.trades[0].exit_price, 13);
});

Deno.test("same inputs give the same output, byte for byte; the run id follows the inputs", async () => {
  const candles = synthCandles({ bars: 20_000, seed: 11 });
  const cfg = { ...BASE, params: { fast_period: 20, slow_period: 60 }, slippageBps: 3 };
  const a = JSON.stringify(await backtest(cfg, candles));
  const b = JSON.stringify(await backtest(cfg, candles));
  assert.equal(a, b);
  const c = await backtest({ ...cfg, fee: 0.002 }, candles);
  assert.notEqual(c.run_id, JSON.parse(a).run_id);
  assert.ok(JSON.parse(a).trades.length > 10);
});

Deno.test("bad strategy names and parameters are clear errors", async () => {
  await assert.rejects(
    () => backtest({ ...BASE, strategy: "nope" }, scenario()),
    /Strategy "nope" does not exist: use one of .*sma_cross/,
  );
  await assert.rejects(
    () => backtest({ ...BASE, params: { fast_period: 5, slow_period: 3 } }, scenario()),
    (e: unknown) =>
      e instanceof ConfigError &&
      /fast_period: fast_period must be smaller than slow_period/.test(e.message),
  );
  await assert.rejects(
    () => backtest({ ...BASE, params: { fast: 2 } }, scenario()),
    /has no parameter "fast"/,
  );
});
