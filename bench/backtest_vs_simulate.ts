// backtest() against its engine loop simulate(), in a process of its own (bench/cli_bench.ts).
//
// `deno run -A bench/backtest_vs_simulate.ts` prints one JSON line: the first (cold) backtest(),
// and the best warm simulate() and backtest() on a year of seeded 1-minute candles, in ms.

import { backtest, simulate } from "../src/backtest/run.ts";
import { simSetup } from "../src/backtest/wiring.ts";
import { synthCandles } from "../src/data/synth.ts";
import { getStrategy, parseParams } from "../src/engine/strategy_registry.ts";
import { TIMED_RUNS, WARMUP_RUNS, YEAR_1M } from "./backtest_one.ts";

/** The run the CLI rows use too: sma_cross 10/30, 95 % of equity, step 1e-8, fee 0.001. */
export const CONFIG = {
  strategy: "sma_cross",
  params: { fast_period: 10, slow_period: 30 },
  exchange: "synthetic",
  symbol: "SYN/USDT",
  timeframe: "1m",
  sizeMode: "equity" as const,
  size: 0.95,
  qtyStep: 1e-8,
  fee: 0.001,
};

/** What one measurement gives. */
export interface VersusResult {
  candles: number;
  trades: number;
  firstBacktestMs: number;
  /** Best simulate() and best backtest(). */
  simulateMs: number;
  backtestMs: number;
  /** Median over the timed pairs of backtest() / the simulate() just before it. */
  ratio: number;
}

/**
 * Alternates simulate() (wired as backtest() wires it) and backtest() on the same candles:
 * WARMUP_RUNS pairs, then TIMED_RUNS * 2 timed pairs. The ratio is the median of each pair's
 * (on a shared machine, a pair sees about the same load). The first backtest() is cold.
 */
export async function measureVersus(): Promise<VersusResult> {
  const candles = synthCandles({ bars: YEAR_1M, seed: 2024 });
  const t0 = performance.now();
  const first = await backtest(CONFIG, candles);
  const firstMs = performance.now() - t0;
  const def = await getStrategy(CONFIG.strategy);
  const params = parseParams(def, CONFIG.params);
  let sim = Infinity, full = Infinity;
  const ratios: number[] = [];
  for (let k = 0; k < WARMUP_RUNS + 2 * TIMED_RUNS; k++) {
    let t = performance.now();
    const { broker, risk, fees, leverage } = simSetup(CONFIG, [CONFIG.symbol]);
    simulate(def, params, CONFIG, [{ symbol: CONFIG.symbol, candles }], {
      broker,
      risk,
      leverage,
      takerFee: fees.taker,
    });
    const s = performance.now() - t;
    t = performance.now();
    await backtest(CONFIG, candles);
    const b = performance.now() - t;
    if (k >= WARMUP_RUNS) (sim = Math.min(sim, s), full = Math.min(full, b), ratios.push(b / s));
  }
  ratios.sort((a, b) => a - b);
  return {
    candles: YEAR_1M,
    trades: first.trades.length,
    firstBacktestMs: firstMs,
    simulateMs: sim,
    backtestMs: full,
    ratio: ratios[Math.floor(ratios.length / 2)],
  };
}

if (import.meta.main) console.log(JSON.stringify(await measureVersus()));
