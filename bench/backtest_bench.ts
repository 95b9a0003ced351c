// Backtest speed per built-in strategy on a year of 1-minute candles, with peak memory.

import { simulate } from "../src/backtest/run.ts";
import { synthCandles } from "../src/data/synth.ts";
import { SimBroker } from "../src/sim/sim_broker.ts";
import { loadStrategies } from "../src/engine/strategy_registry.ts";
import { RiskGate } from "../src/risk/gate.ts";
import { z } from "zod";
import { defineStrategy, type StrategyDefinition } from "../src/core/strategy.ts";
import type { OneResult } from "./backtest_one.ts";

/** One benchmark row. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  goal: string;
  met: boolean;
}

/**
 * Times `simulate` (engine + indicators + broker + risk) per strategy, each in a process of its
 * own (bench/backtest_one.ts): WARMUP_RUNS warm-up runs, then the best of TIMED_RUNS. Apart, no
 * strategy runs with the JIT feedback another one left, and each peak RSS is its own.
 */
export async function benchBacktests(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const strategies = await loadStrategies();
  for (const name of strategies.keys()) {
    const r = await measureApart(name);
    const rate = r.candles / (r.bestMs / 1000);
    const fast = name === "sma_cross" || name === "ema_cross";
    rows.push({
      name: `backtest ${name} (${
        r.candles.toLocaleString("en-US")
      } x ${r.timeframe}, ${r.trades} trades)`,
      value: Math.round(rate),
      unit: "candles/s",
      goal: fast ? ">= 10,000,000" : "(reported)",
      met: fast ? rate >= 10_000_000 : true,
    });
    rows.push({
      name: `  first run of ${name} (cold JIT, indicators' first calls)`,
      value: Math.round(r.candles / (r.firstMs / 1000)),
      unit: "candles/s",
      goal: "(reported)",
      met: true,
    });
    rows.push({
      name: `  peak RSS of ${name}'s process`,
      value: r.peakRssMiB,
      unit: "MiB",
      goal: "(reported)",
      met: true,
    });
  }
  rows.push(roundTripRow());
  return rows;
}

/** {@link measure} of `name` in a child process (same Deno, same V8 flags as this one's task). */
async function measureApart(name: string): Promise<OneResult> {
  const script = new URL("./backtest_one.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--max-old-space-size=8192", script, name],
    env: { TZ: "UTC" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`bench/backtest_one.ts ${name} failed (exit ${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
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
