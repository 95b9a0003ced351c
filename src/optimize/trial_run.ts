// One trial's backtest: `simulate` on the first `end` candles, wired as `backtest()` wires it.

import { computeMetrics, type Metrics } from "../backtest/metrics.ts";
import { type BacktestConfig, simulate } from "../backtest/run.ts";
import { type CandleColumns, sliceColumns } from "../core/candles.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { MarketRules } from "../core/trading.ts";
import { SimBroker } from "../sim/sim_broker.ts";
import { RiskGate } from "../risk/gate.ts";

/** Backtest settings every trial of a study shares (see BacktestConfig for defaults). */
export type TrialBacktest = Pick<
  BacktestConfig,
  | "cash"
  | "fee"
  | "fees"
  | "slippageBps"
  | "sizeMode"
  | "size"
  | "qtyStep"
  | "rules"
  | "leverage"
  | "closeAtEnd"
  | "risk"
  | "fundingRate"
>;

/** What a trial runner needs besides the parameters: the market and the backtest settings. */
export interface TrialSetup {
  strategy: string;
  symbol: string;
  timeframe: string;
  backtest: TrialBacktest;
}

interface Wiring {
  broker: SimBroker;
  risk: RiskGate;
  leverage: number;
  takerFee: number;
  cash: number;
}

/** Builds a fresh broker and risk gate exactly as `backtest()` does; throws ConfigError on bad settings. */
export function wire(setup: TrialSetup): Wiring {
  const c = setup.backtest;
  const cash = c.cash ?? 10_000;
  const fee = c.fee ?? 0.001;
  const fees = c.fees ?? { maker: fee, taker: fee };
  const rules: MarketRules = {
    tickSize: 0,
    qtyStep: c.qtyStep ?? 0,
    minQty: 0,
    minNotional: 0,
    ...c.rules,
  };
  if (c.qtyStep !== undefined) rules.qtyStep = c.qtyStep;
  const leverage = c.leverage ?? 1;
  const broker = new SimBroker({
    cash,
    fees,
    slippageBps: c.slippageBps ?? 0,
    rules: { [setup.symbol]: rules },
    leverage,
    funding: c.fundingRate !== undefined ? { rate: c.fundingRate } : undefined,
  });
  const risk = new RiskGate({
    sizeMode: c.sizeMode ?? "equity",
    size: c.size,
    maxLeverage: Math.max(leverage, 1),
    ...c.risk,
  });
  return { broker, risk, leverage, takerFee: fees.taker, cash };
}

/**
 * Backtests `params` (already parsed) on candles [0, end) and returns the metrics; with `end`
 * the length of the data this equals `backtest()`'s metrics for the same settings.
 */
export function runSlice(
  def: StrategyDefinition,
  params: Record<string, unknown>,
  setup: TrialSetup,
  candles: CandleColumns,
  end: number,
): Metrics {
  const data = end >= candles.ts.length ? candles : sliceColumns(candles, 0, end);
  const w = wire(setup);
  const sim = simulate(
    def,
    params,
    { timeframe: setup.timeframe, closeAtEnd: setup.backtest.closeAtEnd ?? false },
    [{ symbol: setup.symbol, candles: data }],
    w,
  );
  const costs = w.broker.costs();
  return computeMetrics({
    equity: sim.equity,
    ts: sim.ts,
    timeframeMs: timeframeMs(setup.timeframe),
    trades: w.broker.trades(),
    initialEquity: w.cash,
    fees: costs.fees,
    funding: costs.funding,
    exposureBars: sim.exposure,
  });
}
