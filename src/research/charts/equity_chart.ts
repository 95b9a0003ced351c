// Equity curve with a drawdown panel below, downsampled to min/max per pixel column.

import * as Plot from "@observablehq/plot";
import type { BacktestResult } from "../../backtest/run.ts";
import { ConfigError } from "../../core/errors.ts";
import { minMaxPerBucket } from "./downsample.ts";
import { num, pct, utcAxis, utcLabel } from "./labels.ts";
import { type ChartOptions, composeChart, type SvgChart } from "./svg_chart.ts";

/** An equity curve: times (UTC ms) and equity, of equal length. */
export interface EquityCurve {
  ts: ArrayLike<number>;
  equity: ArrayLike<number>;
}

/** A backtest result (only its curve and names are read) or a bare curve. */
export type EquityInput =
  | (Pick<BacktestResult, "equity_curve"> & Partial<BacktestResult>)
  | EquityCurve;

/** Options for {@link equityChart}. */
export interface EquityChartOptions extends ChartOptions {
  /** Share of the plotting height given to the drawdown panel [0.35]. */
  drawdownShare?: number;
}

/**
 * Drawdown from the running peak at each point, as a fraction (0 or negative).
 *
 * @example
 * ```ts
 * drawdownSeries([100, 120, 90, 130]); // Float64Array [0, 0, -0.25, 0]
 * ```
 */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    out[i] = peak > 0 && Number.isFinite(e) ? e / peak - 1 : 0;
  }
  return out;
}

/**
 * The equity line with a drawdown area panel below it, on one UTC time axis.
 *
 * Long curves are downsampled per pixel column before drawing: the equity line keeps each
 * column's lowest and highest point (in time order), the drawdown area each column's deepest
 * point, both computed from the full curve. A year of 1m equity (525,600 points) becomes at most
 * ~1,800 + ~900 points.
 *
 * @example
 * ```ts
 * const r = await backtest(config, candles);
 * equityChart(r); // or equityChart({ ts, equity })
 * ```
 */
export function equityChart(input: EquityInput, options: EquityChartOptions = {}): SvgChart {
  const curve: EquityCurve = "equity_curve" in input ? input.equity_curve : input;
  const n = Math.min(curve.ts.length, curve.equity.length);
  if (n === 0) throw new ConfigError("The equity curve is empty: run a backtest with candles.");
  const width = options.width ?? 960;
  const height = options.height ?? 480;
  const columns = Math.max(10, Math.floor(width - 80));
  const dd = drawdownSeries(curve.equity);
  const line = minMaxPerBucket(curve.ts, curve.equity, columns);
  const area = minMaxPerBucket(curve.ts, dd, columns, "min");
  const from = curve.ts[0];
  const to = Math.max(curve.ts[n - 1], from + 1);
  const start = curve.equity[0];
  const end = curve.equity[n - 1];
  let maxDd = 0;
  for (let i = 0; i < n; i++) if (dd[i] < maxDd) maxDd = dd[i];

  const named = "equity_curve" in input ? input : undefined;
  const title = options.title ??
    (named?.strategy
      ? [named.strategy, named.symbol, named.timeframe].filter(Boolean).join(" · ")
      : "Equity");
  const share = Math.min(0.8, Math.max(0.1, options.drawdownShare ?? 0.35));
  const idx = (s: { ts: number[] }) => Array.from(s.ts, (_, i) => i);
  return composeChart({
    width,
    height,
    title,
    subtitle: [
      `${num(start)} → ${num(end)} (${pct(end / start - 1)})`,
      `max drawdown ${pct(maxDd)}`,
      `${utcLabel(from)} → ${utcLabel(curve.ts[n - 1])}`,
    ].join(" · "),
    panels: [
      {
        weight: 1 - share,
        plot: {
          x: { ...utcAxis([from, to]), axis: null },
          y: { label: "Equity", grid: true, nice: true },
          marginBottom: 6,
          marginRight: 20,
          marks: [
            Plot.ruleY([start], { stroke: "#8c959f", strokeDasharray: "3,3", className: "start" }),
            Plot.lineY(idx(line), {
              x: (i: number) => line.ts[i],
              y: (i: number) => line.v[i],
              stroke: "#2962ff",
              strokeWidth: 1.25,
              className: "equity-line",
            }),
          ],
        },
      },
      {
        weight: share,
        plot: {
          x: utcAxis([from, to]),
          y: { label: "Drawdown (%)", percent: true, grid: true, nice: true },
          marginTop: 24,
          marginRight: 20,
          marginBottom: 44,
          marks: [
            Plot.areaY(idx(area), {
              x: (i: number) => area.ts[i],
              y: (i: number) => area.v[i],
              fill: "#f23645",
              fillOpacity: 0.3,
              curve: "step-after",
              className: "drawdown-area",
            }),
            Plot.lineY(idx(area), {
              x: (i: number) => area.ts[i],
              y: (i: number) => area.v[i],
              stroke: "#f23645",
              strokeWidth: 1,
              curve: "step-after",
              className: "drawdown-line",
            }),
            Plot.ruleY([0], { stroke: "#8c959f" }),
          ],
        },
      },
    ],
  });
}
