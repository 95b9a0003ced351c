// Candlestick chart with trade entry/exit markers and SL/TP levels, downsampled for long ranges.

import * as Plot from "@observablehq/plot";
import { type CandleColumns, sliceColumns } from "../../core/candles.ts";
import { ConfigError } from "../../core/errors.ts";
import { bucketCandles, bucketMsFor, inferStepMs, timeframeLabel } from "./downsample.ts";
import { num, utcAxis, utcLabel } from "./labels.ts";
import {
  type ChartTrade,
  collectLevels,
  groupMarkers,
  type Marker,
  markers,
  priceDomain,
  type PriceLevel,
} from "./trade_marks.ts";
import { type ChartOptions, composeChart, type SvgChart } from "./svg_chart.ts";

/** Candle and marker colours (TradingView's). */
export const CANDLE_COLORS = {
  up: "#089981",
  down: "#f23645",
  long: "#2962ff",
  short: "#ff6d00",
  win: "#1b7f3b",
  loss: "#c62828",
} as const;

/** Options for {@link candleChart}. */
export interface CandleChartOptions extends ChartOptions {
  /** Trades to mark: entries as triangles (up long, down short), exits as crosses. */
  trades?: readonly ChartTrade[];
  /** SL/TP levels drawn as dashed segments (trades' own `sl`/`tp` are drawn too). */
  levels?: readonly PriceLevel[];
  /** First open time shown, UTC ms [first candle]. */
  from?: number;
  /** End of the range shown (exclusive), UTC ms [end of the last candle]. */
  to?: number;
  /** Most candles drawn; more are merged into the shortest standard timeframe that fits [one per 2 px]. */
  maxCandles?: number;
  /** Above this many trades in range, markers are grouped per drawn candle and levels left out [200]. */
  maxTrades?: number;
}

/**
 * OHLC candles (a rule for the wick, a bar for the body), trade markers and SL/TP levels on a UTC
 * time axis.
 *
 * Long ranges are downsampled: when more than `maxCandles` candles fall in range they are merged
 * (open, max high, min low, close) into the shortest exchange timeframe in
 * {@link CANDLE_BUCKETS_MS} that fits, so a year of 1m candles is drawn as 366 daily candles.
 * With more than `maxTrades` trades in range, entries and exits are grouped into one marker each
 * per drawn candle (counts and summed P&L in the tooltip) and SL/TP levels are left out.
 *
 * @example
 * ```ts
 * const r = await backtest(config, candles);
 * candleChart(candles, { trades: r.trades, from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) });
 * ```
 */
export function candleChart(candles: CandleColumns, options: CandleChartOptions = {}): SvgChart {
  const width = options.width ?? 960;
  const height = options.height ?? 480;
  const all = candles.ts;
  const stepMs = inferStepMs(all);
  const from = options.from ?? all[0];
  const to = options.to ?? all[all.length - 1] + stepMs;
  const view = sliceColumns(candles, lowerBound(all, from), lowerBound(all, to));
  const n = view.ts.length;
  if (n === 0) {
    throw new ConfigError(
      `No candles between ${utcLabel(from)} and ${utcLabel(to)}: widen "from"/"to".`,
    );
  }
  const maxCandles = options.maxCandles ?? Math.floor((width - 80) / 2);
  const bucketMs = n > maxCandles ? bucketMsFor(to - from, stepMs, maxCandles) : stepMs;
  const shown = bucketMs > stepMs ? bucketCandles(view, bucketMs) : view;
  const m = shown.ts.length;
  const pxPerCandle = (width - 80) / Math.max(1, (to - from) / bucketMs);
  const pad = pxPerCandle >= 3 ? bucketMs * 0.15 : 0;
  const idx = Array.from({ length: m }, (_, i) => i);
  const color = (i: number) =>
    shown.close[i] >= shown.open[i] ? CANDLE_COLORS.up : CANDLE_COLORS.down;

  const trades = (options.trades ?? []).filter((t) => t.exit_ts >= from && t.entry_ts < to);
  const maxTrades = options.maxTrades ?? 200;
  const grouped = trades.length > maxTrades;
  const { entries, exits } = grouped ? groupMarkers(trades, bucketMs) : markers(trades);
  const levels = grouped ? [] : collectLevels(trades, { levels: options.levels ?? [], from, to });

  const marks: Plot.Markish[] = [
    Plot.ruleX(idx, {
      x: (i: number) => shown.ts[i] + bucketMs / 2,
      y1: (i: number) => shown.low[i],
      y2: (i: number) => shown.high[i],
      stroke: color,
      className: "candle-wick",
    }),
    Plot.rect(idx, {
      x1: (i: number) => shown.ts[i] + pad,
      x2: (i: number) => shown.ts[i] + bucketMs - pad,
      y1: (i: number) => shown.open[i],
      y2: (i: number) => shown.close[i],
      fill: color,
      stroke: (i: number) => shown.open[i] === shown.close[i] ? color(i) : "none",
      className: "candle-body",
    }),
  ];
  for (const kind of ["sl", "tp"] as const) {
    marks.push(Plot.ruleY(levels.filter((l) => l.kind === kind), {
      x1: "from",
      x2: "to",
      y: "price",
      stroke: kind === "sl" ? CANDLE_COLORS.loss : CANDLE_COLORS.win,
      strokeDasharray: "4,3",
      strokeWidth: 1.2,
      title: (l: PriceLevel) =>
        `${kind.toUpperCase()} ${num(l.price)}\n${utcLabel(l.from)} → ${utcLabel(l.to)}`,
      className: `level-${kind}`,
    }));
  }
  if (!grouped) {
    marks.push(Plot.link(trades, {
      x1: "entry_ts",
      y1: "entry_price",
      x2: "exit_ts",
      y2: "exit_price",
      stroke: (t: ChartTrade) => t.pnl > 0 ? CANDLE_COLORS.win : CANDLE_COLORS.loss,
      strokeDasharray: "2,2",
      strokeOpacity: 0.7,
      className: "trade-path",
    }));
  }
  marks.push(
    Plot.dot(entries, {
      x: "ts",
      y: "price",
      symbol: "triangle",
      rotate: (d: Marker) => d.side === "long" ? 0 : 180,
      r: grouped ? 3.5 : 5,
      fill: (d: Marker) => CANDLE_COLORS[d.side],
      stroke: "white",
      strokeWidth: 0.75,
      title: "title",
      className: "trade-entry",
    }),
    Plot.dot(exits, {
      x: "ts",
      y: "price",
      symbol: "times",
      r: grouped ? 3 : 4,
      stroke: (d: Marker) => d.win ? CANDLE_COLORS.win : CANDLE_COLORS.loss,
      strokeWidth: grouped ? 1.5 : 2,
      title: "title",
      className: "trade-exit",
    }),
  );

  const notes = [`${num(n)} candles (${timeframeLabel(stepMs)})`];
  if (bucketMs > stepMs) notes.push(`drawn as ${num(m)} × ${timeframeLabel(bucketMs)}`);
  notes.push(`${utcLabel(from)} → ${utcLabel(to)}`);
  if (trades.length) notes.push(`${num(trades.length)} trades${grouped ? " (grouped)" : ""}`);
  return composeChart({
    width,
    height,
    title: options.title ?? "Price",
    subtitle: notes.join(" · "),
    legend: [
      ...(trades.length
        ? [
          { label: "long entry", color: CANDLE_COLORS.long },
          { label: "short entry", color: CANDLE_COLORS.short },
          { label: "exit (win)", color: CANDLE_COLORS.win, kind: "cross" as const },
          { label: "exit (loss)", color: CANDLE_COLORS.loss, kind: "cross" as const },
        ]
        : []),
      ...(levels.length
        ? [
          { label: "SL", color: CANDLE_COLORS.loss, kind: "dash" as const },
          { label: "TP", color: CANDLE_COLORS.win, kind: "dash" as const },
        ]
        : []),
    ],
    panels: [{
      plot: {
        x: utcAxis([from, to]),
        y: {
          label: "Price",
          grid: true,
          nice: true,
          domain: priceDomain(shown, [
            ...levels.map((l) => l.price),
            ...[...entries, ...exits].filter((d) => d.ts >= from && d.ts < to).map((d) => d.price),
          ]),
        },
        color: { type: "identity" },
        clip: true,
        marginRight: 20,
        marginBottom: 44, // two-line UTC ticks, then the axis label
        marks,
      },
    }],
  });
}

/** First index whose value is >= `x` in a sorted array. */
function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export type { ChartTrade, PriceLevel };
