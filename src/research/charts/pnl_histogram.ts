// Histogram of net trade P&L: wins and losses coloured, the mean marked.

import * as Plot from "@observablehq/plot";
import { num, signed } from "./labels.ts";
import { type ChartOptions, composeChart, type SvgChart } from "./svg_chart.ts";

const WIN = "#089981";
const LOSS = "#f23645";

/** Options for {@link pnlHistogram}. */
export interface PnlHistogramOptions extends ChartOptions {
  /** About how many bins to use; the width is rounded to 1, 2 or 5 × a power of ten [30]. */
  bins?: number;
}

/** One histogram bin: P&L in (x1, x2], how many trades. */
export interface PnlBin {
  x1: number;
  x2: number;
  count: number;
  outcome: "win" | "loss";
}

/**
 * A bin width of 1, 2 or 5 times a power of ten, near `raw`.
 *
 * @example
 * ```ts
 * niceStep(0.37); // 0.5
 * ```
 */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/**
 * Bins P&L values into right-closed bins `(k·step, (k+1)·step]` with an edge at 0, so every
 * bin is all wins (> 0) or all losses (≤ 0; a flat trade counts as a loss). Empty bins are left out.
 *
 * @example
 * ```ts
 * pnlBins([-3, -1, 0, 2, 2.5], 30); // bins of width 0.2 around each value
 * ```
 */
export function pnlBins(values: readonly number[], bins = 30): PnlBin[] {
  const v = values.filter(Number.isFinite);
  if (!v.length) return [];
  let lo = v[0], hi = v[0];
  for (const x of v) lo = Math.min(lo, x), hi = Math.max(hi, x);
  const span = hi - lo || Math.abs(hi) || 1;
  const step = niceStep(span / Math.max(1, bins));
  const counts = new Map<number, number>();
  for (const x of v) {
    const k = Math.ceil(x / step - 1e-9) - 1; // (k·step, (k+1)·step]
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([k, count]) => ({
    x1: round(k * step, step),
    x2: round((k + 1) * step, step),
    count,
    outcome: k >= 0 ? "win" : "loss",
  }));
}

/** Rounds away float noise at the bin width's precision. */
function round(x: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(x.toFixed(Math.min(20, digits)));
}

/**
 * Distribution of the trades' net P&L: bars coloured by win/loss, a dashed rule at the mean.
 *
 * @example
 * ```ts
 * const r = await backtest(config, candles);
 * pnlHistogram(r.trades, { bins: 40 });
 * ```
 */
export function pnlHistogram(
  trades: readonly { pnl: number }[],
  options: PnlHistogramOptions = {},
): SvgChart {
  const values = trades.map((t) => t.pnl).filter(Number.isFinite);
  const bins = pnlBins(values, options.bins ?? 30);
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const wins = values.filter((x) => x > 0).length;
  const sorted = [...values].sort((a, b) => a - b);
  const median = n ? (sorted[(n - 1) >> 1] + sorted[n >> 1]) / 2 : NaN;
  const marks: Plot.Markish[] = [
    Plot.rectY(bins, {
      x1: "x1",
      x2: "x2",
      y: "count",
      fill: (b: PnlBin) => b.outcome === "win" ? WIN : LOSS,
      insetLeft: 0.5,
      insetRight: 0.5,
      title: (b: PnlBin) => `${num(b.x1)} < P&L ≤ ${num(b.x2)}\n${b.count} trades`,
      className: "pnl-bin",
    }),
    Plot.ruleY([0], { stroke: "#8c959f" }),
  ];
  if (n) {
    marks.push(
      Plot.ruleX([mean], { stroke: "#1f2328", strokeDasharray: "4,3", className: "pnl-mean" }),
      Plot.text([mean], {
        x: (d: number) => d,
        frameAnchor: "top",
        text: () => `mean ${signed(mean, 4)}`,
        textAnchor: "start",
        dx: 4,
        dy: 2,
        className: "pnl-mean-label",
      }),
    );
  }
  return composeChart({
    width: options.width ?? 640,
    height: options.height ?? 340,
    title: options.title ?? "Trade P&L",
    subtitle: n
      ? [
        `${n} trades`,
        `win rate ${((100 * wins) / n).toFixed(1)}%`,
        `mean ${signed(mean, 4)}`,
        `median ${signed(median, 4)}`,
        `total ${signed(values.reduce((a, b) => a + b, 0), 6)}`,
      ].join(" · ")
      : "No trades",
    legend: [
      { label: "win", color: WIN },
      { label: "loss (≤ 0)", color: LOSS },
      { label: "mean", color: "#1f2328", kind: "dash" },
    ],
    panels: [{
      plot: {
        x: { label: "Net P&L per trade", nice: true },
        y: { label: "Trades", grid: true, insetTop: 16 },
        color: { type: "identity" },
        marginRight: 20,
        marginBottom: 36,
        marks,
      },
    }],
  });
}
