// The simulated broker and risk gate for a config: built the same way for backtests and paper bots.

import { ConfigError } from "../core/errors.ts";
import type { FeeSchedule, MarketRules } from "../core/trading.ts";
import { SimBroker } from "../sim/sim_broker.ts";
import { RiskGate } from "../risk/gate.ts";
import type { BacktestConfig } from "./config.ts";

/** A SimBroker and RiskGate for `config`, with the resolved settings they were built from. */
export interface SimSetup {
  broker: SimBroker;
  risk: RiskGate;
  cash: number;
  fees: FeeSchedule;
  sizeMode: "equity" | "risk";
  rules: MarketRules;
  leverage: number;
}

/**
 * Builds the simulated account for `symbols` from a backtest config (defaults as documented on
 * {@link BacktestConfig}). Paper bots use it too, so paper and backtest fill alike.
 */
export function simSetup(config: BacktestConfig, symbols: readonly string[]): SimSetup {
  const cash = config.cash ?? 10_000;
  if (!(cash > 0)) throw new ConfigError(`Starting cash must be above 0; got ${cash}.`);
  const fee = config.fee ?? 0.001;
  const fees = config.fees ?? { maker: fee, taker: fee };
  const sizeMode = config.sizeMode ?? "equity";
  const rules: MarketRules = {
    tickSize: 0,
    qtyStep: config.qtyStep ?? 0,
    minQty: 0,
    minNotional: 0,
    ...config.rules,
  };
  if (config.qtyStep !== undefined) rules.qtyStep = config.qtyStep;
  const leverage = config.leverage ?? 1;
  const broker = new SimBroker({
    cash,
    fees,
    slippageBps: config.slippageBps ?? 0,
    rules: Object.fromEntries(symbols.map((s) => [s, rules])),
    leverage,
    funding: config.fundingRate !== undefined ? { rate: config.fundingRate } : undefined,
  });
  const risk = new RiskGate({
    sizeMode,
    size: config.size,
    maxLeverage: Math.max(leverage, 1),
    ...config.risk,
  });
  return { broker, risk, cash, fees, sizeMode, rules, leverage };
}
