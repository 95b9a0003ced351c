// Parity: a strategy fed candle by candle (BotRunner, as paper bots run) decides exactly as a
// backtest of the same candles with the same warm-up.

import assert from "node:assert/strict";
import { backtest, type BacktestConfig } from "../../src/backtest/run.ts";
import type { CandleColumns } from "../../src/core/candles.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { getStrategy, parseParams } from "../../src/engine/strategy_registry.ts";
import { feedLive } from "./parity_support.ts";

const hourly = synthCandles({ bars: 1500, seed: 7, timeframe: "1h" });
const quarterly = synthCandles({ bars: 12_000, seed: 7, timeframe: "15m" });

/** Runs `config` live over `candles` (the first `warm` only warm up) and as a backtest. */
async function both(config: BacktestConfig, candles: CandleColumns, warm: number) {
  const def = await getStrategy(config.strategy);
  const params = parseParams(def, config.params ?? {});
  const live = feedLive(def, params, config, candles, warm);
  const bt = await backtest({ ...config, warmupUntil: candles.ts[warm - 1] }, candles);
  return { live, bt };
}

const cases: [string, Record<string, unknown>, Partial<BacktestConfig>][] = [
  ["sma_cross", {}, {}],
  ["ema_cross", { direction: "both" }, { fee: 0.0005, slippageBps: 3 }],
  ["ema_rsi_volume", {}, { sizeMode: "risk", size: 0.02 }],
  ["ema_rsi_volume", { direction: "both", min_confidence: 0.66 }, {}],
  ["smc", { direction: "both" }, {}],
  ["grid", { range_bars: 400, levels: 8, direction: "both" }, {}],
  ["dca", { interval_bars: 24, tp_pct: 0.5, direction: "short" }, { size: 0.05 }],
];

for (const [strategy, params, extra] of cases) {
  Deno.test(`live parity: ${strategy} ${JSON.stringify(params)}`, async () => {
    const config = { strategy, params, symbol: "SYN/USDT", timeframe: "1h", ...extra };
    const { live, bt } = await both(config, hourly, 300);
    assert.ok(bt.decisions.length > 5, `too few decisions to compare (${bt.decisions.length})`);
    assert.deepEqual(
      JSON.parse(JSON.stringify(live.decisions)),
      JSON.parse(JSON.stringify(bt.decisions)),
    );
    assert.deepEqual(
      JSON.parse(JSON.stringify(live.trades)),
      JSON.parse(JSON.stringify(bt.trades)),
    );
    assert.deepEqual(live.equity, bt.equity_curve.equity.slice(300));
  });
}

Deno.test("live parity: rsi_macd_bb on 15m reads closed 1h and 4h candles only", async () => {
  const config = {
    strategy: "rsi_macd_bb",
    params: { direction: "both" },
    symbol: "SYN/USDT",
    timeframe: "15m",
  };
  const { live, bt } = await both(config, quarterly, 2000);
  assert.ok(bt.decisions.length > 3, `too few decisions to compare (${bt.decisions.length})`);
  assert.deepEqual(
    JSON.parse(JSON.stringify(live.decisions)),
    JSON.parse(JSON.stringify(bt.decisions)),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(live.trades)), JSON.parse(JSON.stringify(bt.trades)));
});

Deno.test("live parity: a warm-up shorter than the strategy's still waits for it", async () => {
  const config = {
    strategy: "sma_cross",
    params: { slow_period: 50 },
    symbol: "S",
    timeframe: "1h",
  };
  const { live, bt } = await both(config, hourly, 10);
  assert.ok(live.decisions.length > 5);
  assert.ok(live.decisions[0].ts >= hourly.ts[50]);
  assert.deepEqual(
    JSON.parse(JSON.stringify(live.decisions)),
    JSON.parse(JSON.stringify(bt.decisions)),
  );
});
