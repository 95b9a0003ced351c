// The live half of the parity tests: a strategy fed candle by candle through BotRunner, as paper
// and live bots run it, on a simulated account built like a backtest's.

import { type BacktestConfig } from "../../src/backtest/run.ts";
import { simSetup } from "../../src/backtest/wiring.ts";
import { candleAt, type CandleColumns } from "../../src/core/candles.ts";
import type { StrategyDefinition } from "../../src/core/strategy.ts";
import type { Decision } from "../../src/engine/engine.ts";
import { BotRunner } from "../../src/engine/bot_runner.ts";

/**
 * Runs `def` with `params` live over `candles` under `config`'s account: the first `warm`
 * candles only warm it up, the rest are stepped. Returns its decisions, trades and the equity
 * after each stepped candle.
 */
export function feedLive(
  def: StrategyDefinition,
  params: Record<string, unknown>,
  config: BacktestConfig,
  candles: CandleColumns,
  warm: number,
) {
  const { broker, risk, leverage, fees } = simSetup(config, [config.symbol]);
  const decisions: Decision[] = [];
  const runner = new BotRunner({
    def,
    params,
    symbol: config.symbol,
    timeframe: config.timeframe,
    broker,
    risk,
    leverage,
    takerFee: fees.taker,
    idPrefix: "bt",
    onDecision: (d) => decisions.push(d),
  });
  const equity: number[] = [];
  for (let i = 0; i < candles.ts.length; i++) {
    if (i < warm) runner.warm(candleAt(candles, i));
    else equity.push(runner.step(candleAt(candles, i)));
  }
  return { decisions, trades: broker.trades(), equity };
}
