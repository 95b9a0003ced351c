// optimize(): searches a strategy's parameters with grid, random or TPE, in parallel, resumably.
//
// Trials are proposed in batches of `batch` (default 8): batch k holds trials k·batch ..
// (k+1)·batch − 1, proposed centrally from the trials before it, then evaluated concurrently
// by the workers; the next batch waits for the whole batch. Proposals, pruning medians and so
// every result depend on (seed, batch, settings, data), never on the worker count or on which
// worker finishes first. A resumed study re-proposes a half-done batch from the same history
// and runs only its missing trials, so it ends exactly as an uninterrupted run would.

import type { Metrics } from "../backtest/metrics.ts";
import { fingerprint } from "../backtest/fingerprint.ts";
import type { CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type { Seed } from "../data/rng.ts";
import { getStrategy, parseParams } from "../engine/strategy_registry.ts";
import type { Db } from "../store/db.ts";
import {
  type Constraints,
  constraintsSpec,
  type Objective,
  type ObjectiveName,
  resolveObjective,
  violation,
} from "./objective.ts";
import { inThreadRunner, type SliceRunner, TrialRunError, workerRunner } from "./pool.ts";
import { type PruneOptions, pruneSettings, pruneThresholds } from "./pruner.ts";
import { createSampler, type Point, type SamplerKind } from "./samplers.ts";
import {
  type DimensionOverride,
  pointKey,
  type SearchSpace,
  searchSpace,
  spaceOverrides,
} from "./space.ts";
import { openStudy } from "./study_setup.ts";
import { type StudyConfig, type StudyRecord, StudyStore } from "./study_store.ts";
import type { TpeOptions } from "./tpe.ts";
import { type TrialBacktest, type TrialSetup, wire } from "./trial_run.ts";
import { bestTrial, type OptimizeProgress, type Trial } from "./types.ts";

/** What to optimise and how. Defaults in brackets. */
export interface OptimizeOptions {
  /** Strategy name (from strategies/). */
  strategy: string;
  /** Candles of one symbol and timeframe, sorted. */
  candles: CandleColumns;
  symbol: string;
  timeframe: string;
  /** Where the candles come from, for the record ["unknown"]. */
  exchange?: string;
  /** Narrowed ranges, steps, log sampling or value lists by parameter. */
  space?: Record<string, DimensionOverride>;
  /** Parameters held at these values. */
  fixed?: Record<string, unknown>;
  /** ["tpe"] */
  sampler?: SamplerKind;
  /** Trials the study has in the end (a resumed study counts its stored ones). */
  trials: number;
  /** What is maximised ["sharpe"]. */
  objective?: Objective;
  /** return_dd's drawdown weight [1]. */
  lambda?: number;
  /** A custom objective's name in the study [the function's name]. */
  objectiveLabel?: string;
  constraints?: Constraints;
  /** [1] */
  seed?: Seed;
  /** Worker threads; 0 runs the backtests in this thread [navigator.hardwareConcurrency]. */
  workers?: number;
  /** Trials proposed together; results depend on it, not on `workers` [8]. */
  batch?: number;
  /** Median pruning on data prefixes [off]. */
  prune?: boolean | PruneOptions;
  /** Grid points per numeric dimension [5]. */
  gridSteps?: number | Record<string, number>;
  tpe?: TpeOptions;
  /** Backtest settings shared by every trial (fee, slippageBps, sizeMode, ...). */
  backtest?: TrialBacktest;
  /** Persist to a DuckDB study; `resume` continues a stored one (created when missing). */
  store?: { db: Db; study: string; resume?: boolean; range?: { from?: number; to?: number } };
  /** Called after each trial. */
  onProgress?: (p: OptimizeProgress) => void;
  signal?: AbortSignal;
  /** Clock for `elapsedMs` in progress reports only [performance.now]. */
  now?: () => number;
}

/** The outcome: every trial (by number), the best one and the stored study. */
export interface OptimizeResult {
  best: Trial | null;
  trials: Trial[];
  study: StudyRecord | null;
  /** True when the space had fewer distinct points than `trials` (grid, small spaces). */
  exhausted: boolean;
}

/**
 * The optimize() options that continue a stored study exactly as it was started; add the
 * candles (the same data), `trials`, `workers` and `store: { db, study, resume: true }`.
 *
 * @example
 * ```ts
 * const study = (await new StudyStore(db).get("ema-sharpe"))!;
 * await optimize({ ...resumeOptions(study), candles, symbol: study.symbol,
 *   timeframe: study.timeframe, trials: 400, store: { db, study: study.name, resume: true } });
 * ```
 */
export function resumeOptions(
  s: StudyRecord,
): Omit<OptimizeOptions, "candles" | "symbol" | "timeframe" | "trials"> {
  if (s.objective.name === "custom" || s.config.constraints.check) {
    throw new ConfigError(
      `Study "${s.name}" uses a custom objective or constraint: resume it from code with the same function.`,
    );
  }
  const sp = s.sampler;
  return {
    strategy: s.strategy,
    exchange: s.exchange,
    sampler: sp.kind,
    objective: s.objective.name as ObjectiveName,
    lambda: s.objective.lambda,
    constraints: s.config.constraints as OptimizeOptions["constraints"],
    seed: s.seed,
    batch: s.config.batch,
    prune: s.config.prune ?? false,
    gridSteps: sp.kind === "grid" ? sp.steps : undefined,
    tpe: sp.kind === "tpe" ? sp : undefined,
    space: spaceOverrides(s.space),
    fixed: s.space.fixed,
    backtest: s.config.backtest,
  };
}

function positiveInt(x: number, what: string, min = 1): number {
  if (!Number.isInteger(x) || x < min) {
    throw new ConfigError(`${what} must be a whole number of at least ${min}; got ${x}.`);
  }
  return x;
}

/**
 * Optimises a strategy's parameters on fixed candles and returns plain data.
 *
 * @example
 * ```ts
 * const { best, trials } = await optimize({
 *   strategy: "ema_cross", candles, symbol: "SYN/USDT", timeframe: "1m",
 *   sampler: "tpe", trials: 200, objective: "sharpe", constraints: { minTrades: 10 }, seed: 1,
 *   backtest: { fee: 0.001 }, onProgress: (p) => console.log(p.done, p.best?.value),
 * });
 * console.log(best?.params, best?.value, trials.filter((t) => t.state === "pruned").length);
 * ```
 */
export async function optimize(o: OptimizeOptions): Promise<OptimizeResult> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  o.signal?.throwIfAborted();
  const def = await getStrategy(o.strategy);
  positiveInt(o.trials, "The number of trials");
  const batch = positiveInt(o.batch ?? 8, "The batch size");
  const n = o.candles.ts.length;
  if (n === 0) throw new ConfigError("There are no candles to optimise on.");
  const space = searchSpace(def, { space: o.space, fixed: o.fixed });
  const seed = o.seed ?? 1;
  const sampler = createSampler(o.sampler ?? "tpe", space, seed, {
    steps: o.gridSteps,
    tpe: o.tpe,
  });
  const objective = resolveObjective(o.objective ?? "sharpe", {
    lambda: o.lambda,
    label: o.objectiveLabel,
  });
  const constraints = o.constraints ?? {};
  const prune = pruneSettings(o.prune);
  const workers = o.workers ?? navigator.hardwareConcurrency ?? 1;
  if (!(Number.isInteger(workers) && workers >= 0)) {
    throw new ConfigError(`workers must be a whole number of at least 0; got ${workers}.`);
  }
  const setup: TrialSetup = {
    strategy: def.name,
    symbol: o.symbol,
    timeframe: o.timeframe,
    backtest: o.backtest ?? {},
  };
  wire(setup); // settings errors now, not in every trial
  const config: StudyConfig = {
    backtest: setup.backtest,
    constraints: constraintsSpec(constraints),
    prune,
    batch,
    trials: o.trials,
    ...(o.store?.range ? { range: o.store.range } : {}),
  };
  const opened = o.store
    ? await openStudy(new StudyStore(o.store.db), o.store.study, o.store.resume ?? false, {
      name: o.store.study,
      strategy: def.name,
      strategy_version: def.version,
      exchange: o.exchange ?? "unknown",
      symbol: o.symbol,
      timeframe: o.timeframe,
      candles: n,
      first_ts: o.candles.ts[0],
      last_ts: o.candles.ts[n - 1],
      data_fingerprint: await fingerprint(o.candles),
      config,
      space,
      objective: objective.spec,
      sampler: sampler.spec,
      seed,
    })
    : undefined;
  const studyStore = o.store ? new StudyStore(o.store.db) : undefined;
  const trials = new Map<number, Trial>((opened?.trials ?? []).map((t) => [t.number, t]));
  const startedWith = trials.size;
  const target = Math.min(o.trials, sampler.limit);
  let exhausted = o.trials > sampler.limit;

  let runner: SliceRunner | undefined;
  const onAbort = () => runner?.close(o.signal!.reason);
  o.signal?.addEventListener("abort", onAbort);
  let writes = Promise.resolve();

  const evaluate = async (
    number: number,
    point: Point,
    thresholds: (number | null)[] | null,
  ): Promise<Trial> => {
    const params = { ...space.fixed, ...point };
    const base = { number, params, value: null, score: -Infinity, metrics: null };
    let parsed: Record<string, unknown>;
    try {
      parsed = parseParams(def, params);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return { ...base, state: "invalid", intermediate: [], reason: err.message };
    }
    const intermediate: (number | null)[] = [];
    try {
      for (let j = 0; prune && thresholds && j < prune.checkpoints.length; j++) {
        const end = Math.floor(prune.checkpoints[j] * n);
        const v = end >= 2 ? objective.fn(await runner!.run(parsed, end)) : null;
        intermediate.push(v);
        const bar = thresholds[j];
        if (bar !== null && v !== null && v < bar) {
          const pct = Math.round(prune.checkpoints[j] * 100);
          return {
            ...base,
            state: "pruned",
            intermediate,
            reason: `pruned at ${pct} % of the data: ${num(v)} < median ${num(bar)}`,
          };
        }
      }
      const metrics: Metrics = await runner!.run(parsed, n);
      const value = objective.fn(metrics);
      const reason = violation(constraints, metrics) ??
        (value === null ? `objective ${objective.spec.name} is undefined for these results` : null);
      return {
        ...base,
        state: "complete",
        value,
        score: reason ? -Infinity : value!,
        intermediate,
        metrics,
        reason,
      };
    } catch (err) {
      if (!(err instanceof TrialRunError)) throw err;
      return { ...base, state: "failed", intermediate, reason: `backtest failed: ${err.message}` };
    }
  };

  try {
    for (let start = 0; start < target; start += batch) {
      const end = Math.min(target, start + batch);
      const missing: number[] = [];
      for (let k = start; k < end; k++) if (!trials.has(k)) missing.push(k);
      if (missing.length === 0) continue;
      o.signal?.throwIfAborted();
      const history = [...trials.values()].filter((t) => t.number < start).sort((a, b) =>
        a.number - b.number
      );
      const points = sampler.propose(history, start, end - start);
      if (points.length < end - start) exhausted = true;
      checkStored(trials, points, start, space, o.store?.study);
      const thresholds = prune ? pruneThresholds(history, prune) : null;
      runner ??= workers === 0
        ? inThreadRunner(def, setup, o.candles)
        : await workerRunner(Math.min(workers, batch), setup, o.candles);
      const jobs = missing.filter((k) => k - start < points.length).map(async (k) => {
        const trial = await evaluate(k, points[k - start], thresholds);
        if (studyStore && opened) {
          const saved = writes.then(() => studyStore.saveTrial(opened.study.id, trial));
          writes = saved;
          await saved;
        }
        trials.set(k, trial); // stored first, then counted and reported, one at a time
        const best = bestTrial([...trials.values()]);
        o.onProgress?.({
          done: trials.size,
          total: target,
          startedWith,
          best: best && { number: best.number, value: best.score, params: best.params },
          elapsedMs: now() - t0,
          trial,
        });
      });
      const failed = (await Promise.allSettled(jobs)).find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      if (points.length < end - start) break;
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    runner?.close(new Error("The optimiser has finished."));
    await writes.catch(() => {});
  }
  const all = [...trials.values()].sort((a, b) => a.number - b.number);
  return { best: bestTrial(all), trials: all, study: opened?.study ?? null, exhausted };
}

function num(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** A resumed batch must re-propose the points its stored trials ran (same optimiser version). */
function checkStored(
  trials: Map<number, Trial>,
  points: Point[],
  start: number,
  space: SearchSpace,
  study = "",
): void {
  points.forEach((p, i) => {
    const t = trials.get(start + i);
    if (t && pointKey(space, t.params) !== pointKey(space, p)) {
      throw new ConfigError(
        `Stored trial ${t.number} of study "${study}" ran ${pointKey(space, t.params)}, but the ` +
          `sampler now proposes ${pointKey(space, p)}: the study was made by another version of ` +
          `the optimiser; start a new study.`,
      );
    }
  });
}
