// Worker that runs one API backtest off the service's main thread (bots keep their latency).

import { backtest, type BacktestConfig } from "../backtest/run.ts";
import { toRunToSave } from "../backtest/stored_run.ts";
import type { CandleColumns } from "../core/candles.ts";
import type { RunToSave } from "../store/backtest_store.ts";

/** Message to the worker. */
export interface BacktestWorkerInput {
  config: BacktestConfig;
  candles: CandleColumns;
}

/** Messages from the worker. */
export type BacktestWorkerOutput =
  | { type: "progress"; fraction: number }
  | { type: "done"; run: RunToSave }
  | { type: "error"; message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<BacktestWorkerInput>) => void) | null;
  postMessage(m: BacktestWorkerOutput, transfer?: Transferable[]): void;
};

scope.onmessage = async (e) => {
  try {
    const result = await backtest(e.data.config, e.data.candles, {
      onProgress: (fraction) => scope.postMessage({ type: "progress", fraction }),
    });
    // What is stored, made here (the decisions' texts too); the equity curve's buffers move.
    const run = toRunToSave(result);
    const buffers = new Set([run.equity.ts.buffer, run.equity.equity.buffer]);
    scope.postMessage({ type: "done", run }, [...buffers] as ArrayBuffer[]);
  } catch (err) {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
