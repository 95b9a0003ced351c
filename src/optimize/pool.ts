// Trial runners: in this thread, or a pool of Deno Workers reading one shared copy of the candles.

import type { Metrics } from "../backtest/metrics.ts";
import type { CandleColumns } from "../core/candles.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { shareCandles } from "./shared_candles.ts";
import { runSlice, type TrialSetup } from "./trial_run.ts";
import type { FromWorker, ToWorker } from "./trial_worker.ts";

/** Runs trial backtests: metrics of parsed `params` on candles [0, end). */
export interface SliceRunner {
  run(params: Record<string, unknown>, end: number): Promise<Metrics>;
  /** Stops: queued and running backtests reject with `reason`; workers are terminated. */
  close(reason?: unknown): void;
}

/** The error a runner rejects with when a backtest threw (the trial is then "failed"). */
export class TrialRunError extends Error {}

/** A runner in this thread: backtests run one at a time, yielding to the event loop in between. */
export function inThreadRunner(
  def: StrategyDefinition,
  setup: TrialSetup,
  candles: CandleColumns,
): SliceRunner {
  let closed: { reason: unknown } | undefined;
  return {
    async run(params, end) {
      await new Promise((r) => setTimeout(r, 0)); // let aborts and progress through
      if (closed) throw closed.reason;
      try {
        return runSlice(def, params, setup, candles, end);
      } catch (err) {
        throw new TrialRunError(err instanceof Error ? err.message : String(err));
      }
    },
    close(reason) {
      closed = { reason };
    },
  };
}

interface Job {
  params: Record<string, unknown>;
  end: number;
  resolve(m: Metrics): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/**
 * Starts `count` workers (trial_worker.ts). The candles go into shared memory once; each worker
 * maps them and loads the strategy registry itself. Backtests are handed to idle workers in the
 * order they are asked for.
 */
export async function workerRunner(
  count: number,
  setup: TrialSetup,
  candles: CandleColumns,
): Promise<SliceRunner> {
  const shared = shareCandles(candles);
  const url = new URL("./trial_worker.ts", import.meta.url);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let closed: { reason: unknown } | undefined;

  const close = (reason?: unknown) => {
    if (closed) return;
    closed = { reason };
    for (const s of slots) {
      s.worker.terminate();
      s.job?.reject(reason);
      s.job = null;
    }
    for (const j of queue.splice(0)) j.reject(reason);
  };
  const dispatch = () => {
    for (const s of slots) {
      if (s.job || queue.length === 0) continue;
      s.job = queue.shift()!;
      const msg: ToWorker = { type: "run", params: s.job.params, end: s.job.end };
      s.worker.postMessage(msg);
    }
  };

  const ready = Array.from({ length: count }, () => {
    const worker = new Worker(url.href, { type: "module" });
    const slot: Slot = { worker, job: null };
    slots.push(slot);
    const init: ToWorker = { type: "init", setup, candles: shared };
    worker.postMessage(init);
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const msg = e.data;
        if (msg.type === "ready") return resolve();
        if (msg.type === "error") {
          return reject(new Error(`A trial worker failed to start: ${msg.message}`));
        }
        const job = slot.job;
        slot.job = null;
        if (!job) return;
        if (msg.type === "done") job.resolve(msg.metrics as Metrics);
        else job.reject(new TrialRunError(msg.message));
        dispatch();
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        const err = new Error(`A trial worker crashed: ${e.message}`);
        reject(err);
        close(err);
      };
    });
  });
  try {
    await Promise.all(ready);
  } catch (err) {
    close(err);
    throw err;
  }
  return {
    run(params, end) {
      if (closed) return Promise.reject(closed.reason);
      return new Promise<Metrics>((resolve, reject) => {
        queue.push({ params, end, resolve, reject });
        dispatch();
      });
    },
    close,
  };
}
