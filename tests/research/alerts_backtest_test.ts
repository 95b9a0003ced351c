// The notebook's backtest({ alerts }): the signals strategy on a list of signals or a file.

import assert from "node:assert/strict";
import { backtest, synth } from "../../src/research/mod.ts";

Deno.test("notebook backtest({ alerts }): signals or an alert file, replayed with the signals strategy", async () => {
  const candles = synth({
    bars: 200,
    seed: 5,
    timeframe: "1h",
    start: Date.UTC(2024, 0, 1),
    startPrice: 42_000,
  });
  const t = (h: number) => Date.UTC(2024, 0, 2, h);
  const fromList = await backtest({
    alerts: [{ ts: t(1), side: "long" }, { ts: t(5), side: "exit" }],
    symbol: "BTC/USDT",
    timeframe: "1h",
  }, candles);
  assert.equal(fromList.strategy, "signals");
  assert.equal(fromList.trades.length, 1);
  const fromFile = await backtest({
    alerts: "tests/fixtures/tradingview/list_of_trades.csv",
    symbol: "BTC/USDT",
    timeframe: "1h",
  }, candles);
  assert.ok(fromFile.trades.length >= 1);
  // Without alerts it is the engine's backtest, unchanged.
  const plain = await backtest(
    { strategy: "sma_cross", symbol: "BTC/USDT", timeframe: "1h" },
    candles,
  );
  assert.equal(plain.strategy, "sma_cross");
});
