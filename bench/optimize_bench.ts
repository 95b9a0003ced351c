// Optimiser benchmarks: 1,000 ema_cross trials on a year of 1m candles, and TPE vs random search.

import { synthCandles } from "../src/data/synth.ts";
import { optimize } from "../src/optimize/optimize.ts";
import { median } from "../src/optimize/pruner.ts";
import type { BenchRow } from "./backtest_bench.ts";

/** Options of {@link benchOptimize}. Defaults in brackets. */
export interface OptimizeBenchOptions {
  /** Trials of the speed run; below 1,000 the 1,000-trial time is extrapolated and labelled [1000]. */
  trials?: number;
  /** Sampler of the speed run; TPE settles on slow, cheaper periods, random keeps sampling fast ones ["tpe"]. */
  sampler?: "tpe" | "random";
  /** Workers of the speed run [navigator.hardwareConcurrency]. */
  workers?: number;
  /** Seeds of the TPE-vs-random comparison [5]. */
  seeds?: number;
  /** Skip the TPE-vs-random comparison [false]. */
  speedOnly?: boolean;
}

const YEAR_1M = 525_600;

/**
 * (1) Seconds for 1,000 trials (TPE by default) of ema_cross (sharpe, no pruning) on 525,600 synthetic 1m
 * candles with every core; (2) TPE vs random at the same number of trials, median over seeds of
 * the best Sharpe reached (minTrades 10), on ema_cross and ema_rsi_volume (60 days of 1m).
 *
 * @example
 * ```ts
 * const rows = await benchOptimize({ trials: 200 }); // quicker: the 1,000-trial time extrapolated
 * ```
 */
export async function benchOptimize(options: OptimizeBenchOptions = {}): Promise<BenchRow[]> {
  const trials = options.trials ?? 1000;
  const sampler = options.sampler ?? "tpe";
  const workers = options.workers ?? navigator.hardwareConcurrency;
  const rows: BenchRow[] = [];
  const year = synthCandles({ bars: YEAR_1M, seed: 2024 });
  const t0 = performance.now();
  const run = await optimize({
    strategy: "ema_cross",
    candles: year,
    symbol: "SYN/USDT",
    timeframe: "1m",
    trials,
    sampler,
    seed: 1,
    workers,
  });
  const sec = (performance.now() - t0) / 1000;
  const per1000 = (sec * 1000) / trials;
  const complete = run.trials.filter((t) => t.state === "complete").length;
  rows.push({
    name: trials === 1000
      ? `optimize ema_cross 1,000 ${sampler} trials, 525,600 x 1m, ${workers} workers (${complete} complete)`
      : `optimize ema_cross 1,000 ${sampler} trials EXTRAPOLATED from ${trials} (${
        sec.toFixed(1)
      } s), ` +
        `525,600 x 1m, ${workers} workers`,
    value: Math.round(per1000 * 10) / 10,
    unit: "s",
    goal: "< 60",
    met: per1000 < 60,
  });
  if (options.speedOnly) return rows;

  const twoMonths = synthCandles({ bars: 86_400, seed: 77 });
  const seeds = Array.from({ length: options.seeds ?? 5 }, (_, i) => i + 1);
  for (const [strategy, n] of [["ema_cross", 40], ["ema_rsi_volume", 60]] as const) {
    const best = { tpe: [] as number[], random: [] as number[] };
    for (const seed of seeds) {
      for (const sampler of ["tpe", "random"] as const) {
        const r = await optimize({
          strategy,
          candles: twoMonths,
          symbol: "SYN/USDT",
          timeframe: "1m",
          trials: n,
          sampler,
          seed,
          objective: "sharpe",
          constraints: { minTrades: 10 },
          workers,
        });
        best[sampler].push(r.best?.score ?? -Infinity);
      }
    }
    const tpe = median(best.tpe);
    const random = median(best.random);
    const label = `${strategy}, ${n} trials, median of ${seeds.length} seeds, 86,400 x 1m`;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    rows.push(
      {
        name: `TPE best sharpe (${label})`,
        value: round(tpe),
        unit: "sharpe",
        goal: "(reported)",
        met: true,
      },
      {
        name: `random best sharpe (${label})`,
        value: round(random),
        unit: "sharpe",
        goal: "(reported)",
        met: true,
      },
      {
        name: `TPE gain over random (${strategy})`,
        value: Math.round(((tpe - random) / Math.abs(random)) * 1000) / 10,
        unit: "%",
        goal: "> 0",
        met: tpe > random,
      },
    );
  }
  return rows;
}

if (import.meta.main) {
  // deno run -A bench/optimize_bench.ts [TRIALS] [tpe|random] [speed]
  const trials = Deno.args[0] ? Number(Deno.args[0]) : undefined;
  const sampler = Deno.args[1] === "random" ? "random" : "tpe";
  for (const r of await benchOptimize({ trials, sampler, speedOnly: Deno.args[2] === "speed" })) {
    console.log(
      `${r.name.padEnd(100)} ${String(r.value).padStart(10)} ${r.unit.padEnd(7)} ${
        r.goal.padEnd(11)
      } ${r.met ? "yes" : "NO"}`,
    );
  }
}
