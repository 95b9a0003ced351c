// Backtests requested through the API: run in the background on stored candles, with progress.

import { z } from "zod";
import type { BacktestConfig } from "../backtest/run.ts";
import type { CandleColumns } from "../core/candles.ts";
import type { BacktestWorkerOutput } from "./backtest_worker.ts";
import { ConfigError, InputError } from "../core/errors.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { checkParams, getStrategy } from "../engine/strategy_registry.ts";
import { riskConfigSchema } from "../risk/config.ts";
import type { BacktestStore, RunToSave } from "../store/backtest_store.ts";
import type { CandleStore } from "../store/candle_store.ts";
import type { EventBus } from "./event_bus.ts";
import { withoutPaths } from "./redact_paths.ts";

/** Largest starting cash of an API backtest: amounts stay exact in the stored run. */
export const MAX_CASH = 1e12;

/** Latest time a range may name (the largest date JavaScript holds, UTC ms). */
const MAX_TS = 8.64e15;

/**
 * The body of `POST /api/backtests`: its shape. Values (the strategy and its parameters, a
 * stored series, the range, the amounts) are checked by {@link BacktestJobs.check}.
 */
export const backtestRequest = z.object({
  strategy: z.string().min(1),
  exchange: z.string().min(1).default("okx"),
  symbol: z.string().min(1),
  timeframe: z.string().min(1).describe("A timeframe such as 1m, 4h or 1d"),
  from: z.number().int().optional().describe("First candle open time, UTC ms"),
  to: z.number().int().optional().describe("Candles before this open time, UTC ms"),
  params: z.record(z.string(), z.unknown()).default({}),
  cash: z.number().positive().optional().describe(`Starting cash, at most ${MAX_CASH}`),
  fee: z.number().min(0).max(0.1).optional(),
  slippage_bps: z.number().min(0).max(1000).optional(),
  size_mode: z.enum(["equity", "risk"]).optional(),
  size: z.number().positive().optional(),
  leverage: z.number().min(1).max(125).optional(),
}).strict();

/** A backtest request as validated. */
export type BacktestRequest = z.output<typeof backtestRequest>;

/** A field of a backtest request and what is wrong with its value. */
export interface FieldProblem {
  /** The field's path in the request, e.g. "cash" or "params.fast_period". */
  field: string;
  message: string;
}

/** A backtest request refused before it was queued; `problems` names each field. */
export class BacktestRequestError extends InputError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(
      `Invalid backtest request: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`,
    );
  }
}

/** A background backtest. */
export interface BacktestJob {
  job_id: string;
  state: "running" | "done" | "failed" | "cancelled";
  progress: number;
  request: BacktestRequest;
  run_id?: string;
  error?: string;
  started_at: number;
  finished_at?: number;
}

/** Runs API backtests one at a time in the background and stores their results. */
export class BacktestJobs {
  readonly #jobs = new Map<string, BacktestJob & { abort: AbortController }>();
  #next = 1;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly candles: CandleStore,
    private readonly runs: BacktestStore,
    private readonly bus: EventBus,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /**
   * Queues a backtest once {@link check} finds nothing wrong (else a
   * {@link BacktestRequestError} naming each field); returns the job.
   */
  async submit(req: BacktestRequest): Promise<BacktestJob> {
    const problems = await this.check(req);
    if (problems.length) throw new BacktestRequestError(problems);
    const job = {
      job_id: `job-${this.#next++}`,
      state: "running" as const,
      progress: 0,
      request: req,
      started_at: this.wallNow(),
      abort: new AbortController(),
    };
    this.#jobs.set(job.job_id, job);
    this.#chain = this.#chain.then(() => this.#run(job.job_id)).catch(() => {});
    return this.view(job);
  }

  /**
   * What is wrong with a request's values, field by field (empty: it can run): the strategy
   * and its parameters (through the strategy's schema), the exchange, symbol and timeframe
   * (a stored series), the range (ordered, overlapping the stored candles), the cash (at most
   * {@link MAX_CASH}) and the size for its sizing mode.
   */
  async check(req: BacktestRequest): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    const add = (field: string, message: string) => problems.push({ field, message });
    let def: StrategyDefinition | undefined;
    try {
      def = await getStrategy(req.strategy);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      add("strategy", withoutPaths(err.message).replace(/\.$/, ""));
    }
    if (def) {
      const p = checkParams(def, req.params);
      if (!p.ok) {
        for (const k of p.unknown) {
          add(`params.${k}`, `strategy "${def.name}" has no such parameter`);
        }
        for (const i of p.issues) add(i.path ? `params.${i.path}` : "params", i.message);
      }
    }
    for (
      const [field, value, max] of [["exchange", req.exchange, 32], [
        "symbol",
        req.symbol,
        64,
      ]] as const
    ) {
      if (value.length > max || !/^[A-Za-z0-9][A-Za-z0-9/:._-]*$/.test(value)) {
        add(
          field,
          `"${value.slice(0, max)}${value.length > max ? "…" : ""}" is not ${
            field === "symbol" ? "a symbol such as BTC/USDT" : "an exchange id such as okx"
          } (letters, digits and / : . _ -, at most ${max})`,
        );
      }
    }
    let tfOk = true;
    try {
      timeframeMs(req.timeframe);
    } catch {
      tfOk = false;
      add("timeframe", `"${req.timeframe.slice(0, 16)}" is not a timeframe such as 1m, 4h or 1d`);
    }
    for (const field of ["from", "to"] as const) {
      const v = req[field];
      if (v !== undefined && (v < 0 || v > MAX_TS)) {
        add(field, `${v} is not a time: UTC ms from 0 to ${MAX_TS}`);
      }
    }
    if (req.from !== undefined && req.to !== undefined && req.from >= req.to) {
      add("to", `${req.to} is not after "from" (${req.from}): the range is empty`);
    }
    if (req.cash !== undefined && req.cash > MAX_CASH) {
      add("cash", `${req.cash} is above the largest starting cash, ${MAX_CASH}`);
    }
    const risk = riskConfigSchema.safeParse({
      sizeMode: req.size_mode ?? "equity",
      size: req.size,
      maxLeverage: Math.max(req.leverage ?? 1, 1),
    });
    if (!risk.success) {
      for (const i of risk.error.issues) {
        add(i.path[0] === "size" ? "size" : "size_mode", i.message);
      }
    }
    if (problems.length === 0 && tfOk) await this.#checkSeries(req, add);
    return problems;
  }

  /** Candles stored for the request's series, in its range; else which field misses them. */
  async #checkSeries(req: BacktestRequest, add: (f: string, m: string) => void): Promise<void> {
    const all = await this.candles.list();
    const stored = (xs: string[]) =>
      [...new Set(xs)].sort().slice(0, 10).join(", ") + (new Set(xs).size > 10 ? ", …" : "");
    const onExchange = all.filter((s) => s.exchange === req.exchange);
    const ofSymbol = onExchange.filter((s) => s.symbol === req.symbol);
    const series = ofSymbol.find((s) => s.timeframe === req.timeframe);
    const fix = "download them first (deno task data download) or pick a series from " +
      "GET /api/candles/series";
    if (onExchange.length === 0) {
      add("exchange", `no candles are stored for exchange "${req.exchange}": ${fix}`);
    } else if (ofSymbol.length === 0) {
      add(
        "symbol",
        `no candles are stored for ${req.symbol} on ${req.exchange} (stored: ${
          stored(onExchange.map((s) => s.symbol))
        }): ${fix}`,
      );
    } else if (!series) {
      add(
        "timeframe",
        `no ${req.timeframe} candles are stored for ${req.exchange} ${req.symbol} (stored: ${
          stored(ofSymbol.map((s) => s.timeframe))
        }): ${fix}`,
      );
    } else if ((req.from ?? -Infinity) > series.last) {
      add("from", noCandles(req, series));
    } else if ((req.to ?? Infinity) <= series.first) {
      add("to", noCandles(req, series));
    }
  }

  /** Every job, newest first. */
  list(): BacktestJob[] {
    return [...this.#jobs.values()].reverse().map((j) => this.view(j));
  }

  get(id: string): BacktestJob | undefined {
    const j = this.#jobs.get(id);
    return j && this.view(j);
  }

  /**
   * Cancels a running (or queued) job, which then says `cancelled`, or forgets a finished one;
   * undefined when unknown, else the job as it was left.
   */
  remove(id: string): BacktestJob | undefined {
    const j = this.#jobs.get(id);
    if (!j) return undefined;
    if (j.state === "running") this.#cancel(j);
    else this.#jobs.delete(id);
    return this.view(j);
  }

  /** Cancels every running or queued job (they say `cancelled`); returns how many. */
  cancelAll(): number {
    let n = 0;
    for (const j of this.#jobs.values()) {
      if (j.state === "running") (this.#cancel(j), n++);
    }
    return n;
  }

  /**
   * Forgets finished jobs whose run was deleted (`runId`), or every finished job's run when
   * `runId` is undefined; returns how many jobs were forgotten.
   */
  forgetRuns(runId?: string): number {
    let n = 0;
    for (const [id, j] of this.#jobs) {
      if (j.run_id !== undefined && (runId === undefined || j.run_id === runId)) {
        this.#jobs.delete(id);
        n++;
      }
    }
    return n;
  }

  /**
   * Cancels every running or queued job and waits until none touches the store any more (call
   * before the database closes).
   */
  async close(): Promise<void> {
    this.cancelAll();
    await this.#chain;
  }

  #cancel(j: BacktestJob & { abort: AbortController }): void {
    j.state = "cancelled";
    j.error = "Cancelled (DELETE /api/backtests).";
    j.finished_at = this.wallNow();
    j.abort.abort();
    this.bus.publish({ type: "backtest.done", data: this.view(j) });
  }

  view(j: BacktestJob): BacktestJob {
    const { abort: _abort, ...rest } = j as BacktestJob & { abort?: AbortController };
    return rest;
  }

  async #run(id: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job || job.abort.signal.aborted) return;
    const r = job.request;
    try {
      const candles = await this.candles.read(
        { exchange: r.exchange, symbol: r.symbol, timeframe: r.timeframe },
        { from: r.from, to: r.to },
      );
      if (candles.ts.length === 0) throw new InputError(noCandles(r));
      let last = 0;
      const run = await inWorker(
        {
          strategy: r.strategy,
          exchange: r.exchange,
          symbol: r.symbol,
          timeframe: r.timeframe,
          params: r.params,
          cash: r.cash,
          fee: r.fee,
          slippageBps: r.slippage_bps,
          sizeMode: r.size_mode,
          size: r.size,
          leverage: r.leverage,
        },
        candles,
        job.abort.signal,
        (f) => {
          job.progress = f;
          if (f - last >= 0.1 || f === 1) {
            last = f;
            this.bus.publish({ type: "backtest.progress", data: { job_id: id, progress: f } });
          }
        },
      );
      if (job.abort.signal.aborted) return;
      await this.runs.save(run);
      if (job.abort.signal.aborted) {
        // Cancelled while it was being stored: what the job says goes.
        await this.runs.delete(run.id);
        return;
      }
      Object.assign(job, { state: "done", progress: 1, run_id: run.id });
    } catch (err) {
      if (job.abort.signal.aborted) return; // said so when it was cancelled
      job.state = "failed";
      job.error = withoutPaths(err instanceof Error ? err.message : String(err));
    }
    job.finished_at = this.wallNow();
    this.bus.publish({ type: "backtest.done", data: this.view(job) });
  }
}

/** The CLI's words for a range without candles, with what is stored when known. */
function noCandles(
  r: BacktestRequest,
  stored?: { first: number; last: number },
): string {
  const span = stored
    ? ` Stored: ${new Date(stored.first).toISOString()} to ${
      new Date(stored.last).toISOString()
    } (open times); widen "from"/"to".`
    : "";
  return `No candles for ${r.exchange} ${r.symbol} ${r.timeframe} in that range.${span}`;
}

/**
 * Runs one backtest in a fresh worker (the candles' buffers are moved to it) and returns what
 * is stored of it, made there as the CLI and notebooks make it (backtest(), toRunToSave).
 */
function inWorker(
  config: BacktestConfig,
  candles: CandleColumns,
  signal: AbortSignal,
  onProgress: (f: number) => void,
): Promise<RunToSave> {
  const worker = new Worker(new URL("./backtest_worker.ts", import.meta.url).href, {
    type: "module",
  });
  return new Promise<RunToSave>((resolve, reject) => {
    const abort = () => {
      worker.terminate();
      reject(new Error("Backtest cancelled."));
    };
    signal.addEventListener("abort", abort, { once: true });
    worker.onmessage = (e: MessageEvent<BacktestWorkerOutput>) => {
      const m = e.data;
      if (m.type === "progress") return onProgress(m.fraction);
      signal.removeEventListener("abort", abort);
      worker.terminate();
      if (m.type === "done") resolve(m.run);
      else reject(new Error(m.message));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      signal.removeEventListener("abort", abort);
      worker.terminate();
      reject(new Error(e.message));
    };
    const buffers = Object.values(candles).map((a) => (a as Float64Array).buffer as ArrayBuffer);
    worker.postMessage({ config, candles }, [...new Set(buffers)]);
  });
}
