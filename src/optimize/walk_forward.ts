// Walk-forward analysis: optimise in-sample, test out-of-sample, stitch the out-of-sample equity.

import { backtest, type BacktestConfig } from "../backtest/run.ts";
import type { Metrics } from "../backtest/metrics.ts";
import { type CandleColumns, sliceColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { getStrategy, parseParams } from "../engine/strategy_registry.ts";
import { optimize, type OptimizeOptions } from "./mod.ts";
import { resolveObjective } from "./objective.ts";

/** How the data is cut into windows. Sizes are in candles. */
export interface WindowPlan {
  /** Candles each in-sample window holds (anchored: the first one; later ones grow). */
  inSample: number;
  /** Candles each out-of-sample window holds; windows step forward by this much. */
  outOfSample: number;
  /** "rolling": a fixed-length in-sample window slides; "anchored": it always starts at 0. */
  mode?: "rolling" | "anchored";
}

/** Options of {@link walkForward}. */
export interface WalkForwardOptions
  extends Omit<OptimizeOptions, "candles" | "store" | "onProgress"> {
  candles: CandleColumns;
  windows: WindowPlan;
  /** Called after each window with how many are done. */
  onWindow?: (done: number, total: number) => void;
}

/** One window: where it lies, what was chosen in-sample, how it did out-of-sample. */
export interface WalkForwardWindow {
  index: number;
  /** Open times (UTC ms) of the first and last candle of each part. */
  inSample: { from: number; to: number; value: number | null; metrics: Metrics | null };
  outOfSample: { from: number; to: number; value: number | null; metrics: Metrics };
  params: Record<string, unknown>;
}

/** Per parameter: how steady the chosen values were across windows. */
export interface ParamStability {
  values: unknown[];
  /** For numbers: mean, standard deviation and coefficient of variation (stdev / |mean|). */
  mean?: number;
  stdev?: number;
  cv?: number | null;
  /** For other values: the share of windows that chose the most common value. */
  modeShare?: number;
}

/** The outcome of a walk-forward run. */
export interface WalkForwardResult {
  windows: WalkForwardWindow[];
  /** Out-of-sample equity, windows chained: each starts where the previous one ended. */
  stitched: { ts: number[]; equity: number[] };
  /** Mean in-sample and out-of-sample objective over windows where both are defined. */
  meanInSample: number | null;
  meanOutOfSample: number | null;
  /**
   * Walk-forward efficiency: meanOutOfSample / meanInSample (1 = no shortfall; well below 1, or
   * negative, is the overfitting signal). Null when undefined.
   */
  efficiency: number | null;
  stability: Record<string, ParamStability>;
}

/** Start indices of each window's in-sample and out-of-sample parts. */
export function planWindows(
  n: number,
  plan: WindowPlan,
): { isFrom: number; oosFrom: number; oosTo: number }[] {
  const { inSample, outOfSample } = plan;
  if (
    !(Number.isInteger(inSample) && inSample > 0 && Number.isInteger(outOfSample) &&
      outOfSample > 0)
  ) {
    throw new ConfigError(
      `Walk-forward windows need whole positive candle counts; got inSample ${inSample}, outOfSample ${outOfSample}.`,
    );
  }
  const out = [];
  for (let oosFrom = inSample; oosFrom + outOfSample <= n; oosFrom += outOfSample) {
    out.push({
      isFrom: plan.mode === "anchored" ? 0 : oosFrom - inSample,
      oosFrom,
      oosTo: oosFrom + outOfSample,
    });
  }
  if (out.length === 0) {
    throw new ConfigError(
      `${n} candles are too few for one window of ${inSample} in-sample + ${outOfSample} out-of-sample candles.`,
    );
  }
  return out;
}

/**
 * Rolling or anchored walk-forward: for each window, optimise on the in-sample candles, then
 * backtest the best parameters on the following out-of-sample candles (indicators warmed up on
 * the candles just before it, no trades there). Reports the shortfall of out-of-sample against
 * in-sample results and how stable the chosen parameters were.
 *
 * @example
 * ```ts
 * const wf = await walkForward({ strategy: "ema_cross", candles, symbol: "SYN/USDT", timeframe: "1h",
 *   windows: { inSample: 2000, outOfSample: 500 }, trials: 40, sampler: "tpe", seed: 1 });
 * console.log(wf.efficiency, wf.stability);
 * ```
 */
export async function walkForward(options: WalkForwardOptions): Promise<WalkForwardResult> {
  const { candles, windows: plan, onWindow, ...opt } = options;
  const def = await getStrategy(opt.strategy);
  const objective = resolveObjective(opt.objective ?? "sharpe", { lambda: opt.lambda }).fn;
  const cuts = planWindows(candles.ts.length, plan);
  const cash = opt.backtest?.cash ?? 10_000;
  const windows: WalkForwardWindow[] = [];
  const stitched = { ts: [] as number[], equity: [] as number[] };
  let carry = 1; // equity multiplier carried from window to window
  for (let w = 0; w < cuts.length; w++) {
    const { isFrom, oosFrom, oosTo } = cuts[w];
    const isCandles = sliceColumns(candles, isFrom, oosFrom);
    const res = await optimize({ ...opt, candles: isCandles, signal: opt.signal });
    if (!res.best) throw new ConfigError(`Window ${w + 1}: no trial produced a result in-sample.`);
    const params = parseParams(def, res.best.params);
    const warm = Math.min(def.warmup(params), oosFrom);
    const config: BacktestConfig = {
      ...opt.backtest,
      strategy: opt.strategy,
      params,
      symbol: opt.symbol,
      timeframe: opt.timeframe,
      exchange: opt.exchange,
    };
    const oos = await backtest(config, sliceColumns(candles, oosFrom - warm, oosTo));
    // The warm-up candles make no decisions; equity is flat at `cash` there. Keep the OOS part.
    const eq = oos.equity_curve;
    for (let i = warm; i < eq.ts.length; i++) {
      stitched.ts.push(eq.ts[i]);
      stitched.equity.push(carry * eq.equity[i]);
    }
    carry *= oos.final_equity / cash;
    windows.push({
      index: w,
      inSample: {
        from: candles.ts[isFrom],
        to: candles.ts[oosFrom - 1],
        value: res.best.value,
        metrics: res.best.metrics,
      },
      outOfSample: {
        from: candles.ts[oosFrom],
        to: candles.ts[oosTo - 1],
        value: objective(oos.metrics),
        metrics: oos.metrics,
      },
      params,
    });
    onWindow?.(w + 1, cuts.length);
  }
  const both = windows.filter((w) => w.inSample.value !== null && w.outOfSample.value !== null);
  const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  const meanIs = mean(both.map((w) => w.inSample.value!));
  const meanOos = mean(both.map((w) => w.outOfSample.value!));
  return {
    windows,
    stitched,
    meanInSample: meanIs,
    meanOutOfSample: meanOos,
    efficiency: meanIs !== null && meanOos !== null && meanIs !== 0 ? meanOos / meanIs : null,
    stability: paramStability(windows.map((w) => w.params), Object.keys(opt.fixed ?? {})),
  };
}

/** How steady each (not fixed) parameter was across windows. */
export function paramStability(
  chosen: Record<string, unknown>[],
  fixed: string[] = [],
): Record<string, ParamStability> {
  const out: Record<string, ParamStability> = {};
  const keys = new Set(chosen.flatMap((p) => Object.keys(p)));
  for (const k of keys) {
    if (fixed.includes(k) || k === "direction") continue;
    const values = chosen.map((p) => p[k]);
    if (values.every((v) => typeof v === "number")) {
      const xs = values as number[];
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
      out[k] = { values, mean: m, stdev: sd, cv: m !== 0 ? sd / Math.abs(m) : null };
    } else {
      const counts = new Map<string, number>();
      for (const v of values) {
        counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
      }
      out[k] = { values, modeShare: Math.max(...counts.values()) / values.length };
    }
  }
  return out;
}
