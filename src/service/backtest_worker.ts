// Worker that runs one API backtest off the service's main thread (bots keep their latency).

import { backtest, type BacktestConfig } from "../backtest/run.ts";
import type { CandleColumns } from "../core/candles.ts";

/** Message to the worker. */
export interface BacktestWorkerInput {
  config: BacktestConfig;
  candles: CandleColumns;
}

/** Messages from the worker. */
export type BacktestWorkerOutput =
  | { type: "progress"; fraction: number }
  | { type: "done"; result: Awaited<ReturnType<typeof backtest>> }
  | { type: "error"; message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<BacktestWorkerInput>) => void) | null;
  postMessage(m: BacktestWorkerOutput): void;
};

scope.onmessage = async (e) => {
  try {
    const result = await backtest(e.data.config, e.data.candles, {
      onProgress: (fraction) => scope.postMessage({ type: "progress", fraction }),
    });
    scope.postMessage({ type: "done", result });
  } catch (err) {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
