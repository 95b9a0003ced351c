// Backtest speed per built-in strategy on a year of 1-minute candles, with peak memory.

import { simulate } from "../src/backtest/run.ts";
import type { CandleColumns } from "../src/core/candles.ts";
import { resample } from "../src/data/resample.ts";
import { synthCandles } from "../src/data/synth.ts";
import { SimBroker } from "../src/engine/sim_broker.ts";
import { loadStrategies, parseParams } from "../src/engine/strategy_registry.ts";
import { RiskGate } from "../src/risk/gate.ts";
import { z } from "zod";
import { defineStrategy, type StrategyDefinition } from "../src/core/strategy.ts";

/** One benchmark row. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  goal: string;
  met: boolean;
}

const YEAR_1M = 525_600;

/** Base timeframe a strategy needs (rsi_macd_bb works on 15m candles). */
const BASE_TF: Record<string, string> = { rsi_macd_bb: "15m" };

/** Times `simulate` (engine + indicators + broker + risk) per strategy: 2 warm-up runs, best of 5. */
export async function benchBacktests(): Promise<BenchRow[]> {
  const oneMinute = synthCandles({ bars: YEAR_1M, seed: 2024 });
  const rows: BenchRow[] = [];
  const strategies = await loadStrategies();
  for (const [name, def] of strategies) {
    const tf = BASE_TF[name] ?? "1m";
    const candles: CandleColumns = tf === "1m" ? oneMinute : resample(oneMinute, "1m", tf).candles;
    const params = parseParams(def, {});
    let best = Infinity;
    let trades = 0;
    let peakRss = 0;
    // Two warm-up runs (the JIT settles and the young generation grows, as in a notebook that
    // runs backtests repeatedly), then the best of five timed runs.
    for (let k = 0; k < 7; k++) {
      const broker = new SimBroker({ cash: 10_000, fees: { maker: 0.001, taker: 0.001 } });
      const t = performance.now();
      simulate(def, params, { timeframe: tf }, [{ symbol: "SYN/USDT", candles }], {
        broker,
        risk: new RiskGate({}),
        leverage: 1,
        takerFee: 0.001,
      });
      if (k >= 2) best = Math.min(best, performance.now() - t);
      trades = broker.trades().length;
      peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    }
    const rate = candles.ts.length / (best / 1000);
    const fast = name === "sma_cross" || name === "ema_cross";
    rows.push({
      name: `backtest ${name} (${
        candles.ts.length.toLocaleString("en-US")
      } x ${tf}, ${trades} trades)`,
      value: Math.round(rate),
      unit: "candles/s",
      goal: fast ? ">= 10,000,000" : "(reported)",
      met: fast ? rate >= 10_000_000 : true,
    });
    rows.push({
      name: `  peak RSS after ${name}`,
      value: Math.round(peakRss / 1024 / 1024),
      unit: "MiB",
      goal: "(reported)",
      met: true,
    });
  }
  rows.push(roundTripRow());
  return rows;
}

const GO_LONG = Object.freeze({ side: "long", confidence: 1, reason: "bench: go long" } as const);
const GET_OUT = Object.freeze({ side: "exit", confidence: 1, reason: "bench: get out" } as const);

/** A strategy that enters on every 4th candle and exits two candles later. */
const roundTrips: StrategyDefinition = defineStrategy({
  name: "bench_round_trips",
  version: "1.0.0",
  description: "Long on every 4th candle, exit two candles later (bench only)",
  params: z.object({ direction: z.enum(["long"]).default("long") }),
  warmup: () => 1,
  create: () => ({ onCandle: (i) => (i % 4 === 0 ? GO_LONG : i % 4 === 2 ? GET_OUT : null) }),
}) as unknown as StrategyDefinition;

/**
 * What one round trip costs the engine (decision, risk gate, market entry and exit, their fills,
 * the trade, and the four candles around them): the part of a backtest that grows with trades.
 */
function roundTripRow(): BenchRow {
  const candles = synthCandles({ bars: 80_000, seed: 1 });
  let best = Infinity;
  let trades = 0;
  for (let k = 0; k < 12; k++) {
    const broker = new SimBroker({ cash: 10_000, fees: { maker: 0.001, taker: 0.001 } });
    const t = performance.now();
    simulate(roundTrips, { direction: "long" }, { timeframe: "1m" }, [
      { symbol: "SYN/USDT", candles },
    ], { broker, risk: new RiskGate({}), leverage: 1, takerFee: 0.001 });
    if (k >= 2) best = Math.min(best, performance.now() - t);
    trades = broker.trades().length;
  }
  return {
    name: `engine round trip (market entry + exit, ${trades} of them)`,
    value: Math.round(best * 1000 / trades * 100) / 100,
    unit: "us each",
    goal: "(reported)",
    met: true,
  };
}
