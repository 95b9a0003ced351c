// Worker entry: loads the strategy registry itself, maps the shared candles, runs trial backtests.

import { getStrategy } from "../engine/strategy_registry.ts";
import type { CandleColumns } from "../core/candles.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { type SharedCandles, sharedColumns } from "./shared_candles.ts";
import { runSlice, type TrialSetup } from "./trial_run.ts";

/** Messages the pool sends a worker. */
export type ToWorker =
  | { type: "init"; setup: TrialSetup; candles: SharedCandles }
  | { type: "run"; params: Record<string, unknown>; end: number };

/** Messages a worker answers with. */
export type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "done"; metrics: unknown }
  | { type: "fail"; message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
};

let state: { def: StrategyDefinition; setup: TrialSetup; candles: CandleColumns } | undefined;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

scope.onmessage = async (e) => {
  const msg = e.data;
  if (msg.type === "init") {
    try {
      const def = await getStrategy(msg.setup.strategy);
      state = { def, setup: msg.setup, candles: sharedColumns(msg.candles) };
      scope.postMessage({ type: "ready" });
    } catch (err) {
      scope.postMessage({ type: "error", message: messageOf(err) });
    }
    return;
  }
  if (!state) {
    scope.postMessage({ type: "fail", message: "The trial worker was not initialised." });
    return;
  }
  try {
    const metrics = runSlice(state.def, msg.params, state.setup, state.candles, msg.end);
    scope.postMessage({ type: "done", metrics });
  } catch (err) {
    scope.postMessage({ type: "fail", message: messageOf(err) });
  }
};
