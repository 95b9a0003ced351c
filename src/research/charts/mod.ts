// Chart helpers for notebooks: each returns an SvgChart the Deno Jupyter kernel shows as SVG.

/**
 * Charts for research notebooks. Each helper takes plain data (candles, a backtest result,
 * trades, trials, windows, scanner rows) and returns an {@link SvgChart}: the last value of a
 * notebook cell is displayed, and `String(chart)` or `chart.save(path)` gives a standalone SVG.
 *
 * @example
 * ```ts
 * import { candleChart, equityChart, pnlHistogram } from "../src/research/charts/mod.ts";
 * const r = await backtest(config, candles);
 * equityChart(r);
 * ```
 * @module
 */

export {
  CANDLE_COLORS,
  candleChart,
  type CandleChartOptions,
  type ChartTrade,
  type PriceLevel,
} from "./candle_chart.ts";
export {
  drawdownSeries,
  equityChart,
  type EquityChartOptions,
  type EquityCurve,
  type EquityInput,
} from "./equity_chart.ts";
export {
  niceStep,
  type PnlBin,
  pnlBins,
  pnlHistogram,
  type PnlHistogramOptions,
} from "./pnl_histogram.ts";
export {
  type HistoryTrial,
  optimizationHistory,
  type OptimizationHistoryOptions,
} from "./optimization_history.ts";
export {
  type HeatCell,
  heatCells,
  paramHeatmap,
  type ParamHeatmapOptions,
} from "./param_heatmap.ts";
export {
  walkForwardChart,
  type WalkForwardChartOptions,
  type WalkForwardWindow,
} from "./walk_forward_chart.ts";
export {
  type RankingRow,
  volatilityRanking,
  type VolatilityRankingOptions,
} from "./volatility_ranking.ts";
export {
  bucketCandles,
  bucketMsFor,
  CANDLE_BUCKETS_MS,
  minMaxPerBucket,
  type Series,
} from "./downsample.ts";
export { num, pct, signed, utcAxis, utcLabel, utcTick } from "./labels.ts";
export {
  type ChartOptions,
  composeChart,
  type ComposeSpec,
  type LegendItem,
  type PanelSpec,
  SvgChart,
} from "./svg_chart.ts";
