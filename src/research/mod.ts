// The notebook API: plain objects in, plain objects out. Import this one module in a notebook.
//
// @example
// ```ts
// import { backtest, synth, equityChart } from "../src/research/mod.ts";
// const candles = synth({ bars: 50_000, seed: 1 });
// const r = await backtest({ strategy: "ema_cross", symbol: "SYN/USDT", timeframe: "1m" }, candles);
// equityChart(r); // displays as SVG in the Deno kernel
// ```

export { type BacktestConfig, type BacktestResult } from "../backtest/run.ts";
export { alertSignals, backtest, type NotebookBacktestConfig } from "./alerts.ts";
export { computeMetrics, formatMetrics, type Metrics } from "../backtest/metrics.ts";
export { type DecisionCount, formatDecisionSummary } from "../core/decision_summary.ts";
export { stallWarning } from "../backtest/stall.ts";
export { loadStrategies } from "../engine/strategy_registry.ts";
export { download, loadCandles, type LoadOptions, synth } from "./data.ts";
export { resample } from "../data/resample.ts";
export { checkCandles } from "../data/integrity.ts";
export {
  compareStudies,
  listStudies,
  optimize,
  type OptimizeOptions,
  type OptimizeResult,
  searchSpace,
  showStudy,
  type Trial,
} from "../optimize/mod.ts";
export {
  paramStability,
  planWindows,
  walkForward,
  type WalkForwardOptions,
  type WalkForwardResult,
} from "../optimize/walk_forward.ts";
export { rankSymbols, scan, type ScanOptions } from "../scanner/mod.ts";
export * from "./charts/mod.ts";
export { notebookProgress, show } from "./notebook.ts";
export { Db } from "../store/db.ts";
export { CandleStore } from "../store/candle_store.ts";
