import { simulate } from "../src/backtest/run.ts";
import { synthCandles } from "../src/data/synth.ts";
import { SimBroker } from "../src/engine/sim_broker.ts";
import { loadStrategies, parseParams } from "../src/engine/strategy_registry.ts";
import { RiskGate } from "../src/risk/gate.ts";
const c = synthCandles({ bars: 525_600, seed: 2024 });
const strategies = await loadStrategies();
const def = strategies.get("sma_cross")!;
const params = parseParams(def, {});
for (let k = 0; k < 5; k++) {
  const broker = new SimBroker({ cash: 10_000, fees: { maker: 0.001, taker: 0.001 } });
  const t = performance.now();
  simulate(def, params, { symbol: "SYN/USDT", timeframe: "1m" }, c, { broker, risk: new RiskGate({}), leverage: 1, takerFee: 0.001 });
  console.log(performance.now() - t, broker.trades().length);
}
