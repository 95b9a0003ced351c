// Heatmap of the objective over two parameters: one cell per value pair (or bin), best value kept.

import * as Plot from "@observablehq/plot";
import { ConfigError } from "../../core/errors.ts";
import { num } from "./labels.ts";
import { niceStep } from "./pnl_histogram.ts";
import { type ChartOptions, composeChart, type SvgChart } from "./svg_chart.ts";

/** Options for {@link paramHeatmap}. */
export interface ParamHeatmapOptions<T> extends ChartOptions {
  /** The objective: a field of the trial or a function ["value"]. */
  value?: string | ((trial: T) => number | null | undefined);
  /** How trials sharing a cell combine ["max"]. */
  reduce?: "max" | "min" | "mean";
  /** A numeric parameter with more distinct values than this is binned into about this many bins [16]. */
  bins?: number;
  /** Print each cell's value in it when there are at most this many cells and every value fits [120]. */
  labelCells?: number;
}

/** One heatmap cell. */
export interface HeatCell {
  x: string;
  y: string;
  value: number;
  trials: number;
}

interface Axis {
  labels: string[];
  label: (v: unknown) => string | undefined;
}

/**
 * The objective over two parameters as a grid of cells coloured by the best value of the trials
 * that fall in each (`reduce`, default max). Parameters are read from `trial.params[name]`, else
 * `trial[name]`. A numeric parameter with many distinct values is binned into equal-width bins;
 * other values get one row or column each. Trials in state "pruned", "invalid" or "failed", or
 * without a finite value, are left out.
 *
 * @example
 * ```ts
 * const study = await optimize(config, candles, { trials: 300 });
 * paramHeatmap(study.trials, "fast_period", "slow_period");
 * ```
 */
export function paramHeatmap<T extends object>(
  trials: readonly T[],
  x: string,
  y: string,
  options: ParamHeatmapOptions<T> = {},
): SvgChart {
  const cells = heatCells(trials, x, y, options);
  const { xs, ys, list } = cells;
  const reduce = options.reduce ?? "max";
  const labelCells = options.labelCells ?? 120;
  const label = (c: HeatCell) => num(c.value, 3);
  const marks: Plot.Markish[] = [
    Plot.cell(list, {
      x: "x",
      y: "y",
      fill: "value",
      inset: 0.5,
      title: (c: HeatCell) =>
        `${x} ${c.x}, ${y} ${c.y}\n${reduce} ${num(c.value)} over ${c.trials} trial${
          c.trials === 1 ? "" : "s"
        }`,
      className: "heat-cell",
    }),
  ];
  const width = options.width ?? 640;
  const cellWidth = (width - 80) / xs.length;
  const fits = (c: HeatCell) => label(c).length * 5.8 + 4 <= cellWidth;
  if (list.length <= labelCells && list.every(fits)) {
    let lo = Infinity, hi = -Infinity;
    for (const c of list) lo = Math.min(lo, c.value), hi = Math.max(hi, c.value);
    // viridis is dark below ~55 % of the domain: white text there, dark text above
    const light = (c: HeatCell) => (c.value - lo) / (hi - lo || 1) < 0.55;
    marks.push(Plot.text(list, {
      x: "x",
      y: "y",
      text: label,
      fill: (c: HeatCell) => light(c) ? "white" : "#1f2328",
      className: "heat-label",
    }));
  }
  return composeChart({
    width,
    height: options.height ?? 500,
    title: options.title ?? `Objective by ${x} and ${y}`,
    subtitle: `${cells.used} trials in ${list.length} cells · ${reduce} per cell`,
    ramp: {
      panel: 0,
      label: `${reduce} ${typeof options.value === "string" ? options.value : "value"}`,
    },
    panels: [{
      plot: {
        x: { label: x, domain: xs, tickRotate: xs.some((s) => s.length > 6) ? -30 : 0 },
        y: { label: y, domain: [...ys].reverse() },
        color: { type: "linear", scheme: "viridis" },
        marginBottom: xs.some((s) => s.length > 6) ? 60 : 40,
        marginRight: 10,
        marks,
      },
    }],
  });
}

/**
 * The cells of {@link paramHeatmap}: axis labels in order and one cell per non-empty pair.
 *
 * @example
 * ```ts
 * heatCells(trials, "fast", "slow").list.length; // how many cells will be drawn
 * ```
 */
export function heatCells<T extends object>(
  trials: readonly T[],
  x: string,
  y: string,
  options: Pick<ParamHeatmapOptions<T>, "value" | "reduce" | "bins"> = {},
): { xs: string[]; ys: string[]; list: HeatCell[]; used: number } {
  const pick = options.value ?? "value";
  const valueOf = (t: T): number => {
    const v = typeof pick === "function" ? pick(t) : (t as Record<string, unknown>)[pick];
    return typeof v === "number" ? v : NaN;
  };
  const param = (t: T, name: string): unknown => {
    const p = (t as { params?: Record<string, unknown> }).params;
    return p && name in p ? p[name] : (t as Record<string, unknown>)[name];
  };
  const usable = trials.filter((t) => {
    const state = (t as { state?: unknown }).state;
    const skip = state === "pruned" || state === "invalid" || state === "failed";
    return !skip && Number.isFinite(valueOf(t)) && param(t, x) != null && param(t, y) != null;
  });
  if (!usable.length) {
    throw new ConfigError(
      `No trial has a finite value and both "${x}" and "${y}": check the parameter names.`,
    );
  }
  const bins = options.bins ?? 16;
  const ax = axis(usable.map((t) => param(t, x)), bins);
  const ay = axis(usable.map((t) => param(t, y)), bins);
  const reduce = options.reduce ?? "max";
  const acc = new Map<string, HeatCell>();
  for (const t of usable) {
    const cx = ax.label(param(t, x))!, cy = ay.label(param(t, y))!;
    const v = valueOf(t);
    const key = `${cx}\u0000${cy}`;
    const c = acc.get(key);
    if (!c) acc.set(key, { x: cx, y: cy, value: v, trials: 1 });
    else {
      c.value = reduce === "max"
        ? Math.max(c.value, v)
        : reduce === "min"
        ? Math.min(c.value, v)
        : c.value + (v - c.value) / (c.trials + 1);
      c.trials++;
    }
  }
  return { xs: ax.labels, ys: ay.labels, list: [...acc.values()], used: usable.length };
}

/** One axis: distinct values in order, or equal-width bins for many distinct numbers. */
function axis(values: unknown[], bins: number): Axis {
  const numeric = values.every((v) => typeof v === "number" && Number.isFinite(v));
  const distinct = [...new Set(values)];
  if (numeric && distinct.length > bins) {
    const nums = distinct as number[];
    let lo = nums[0], hi = nums[0];
    for (const v of nums) lo = Math.min(lo, v), hi = Math.max(hi, v);
    const step = niceStep((hi - lo) / bins);
    const bin = (v: number) => Math.floor(v / step + 1e-9); // 0.3 / 0.1 is 2.9999…
    const name = (k: number) => `${num(k * step)}–${num((k + 1) * step)}`;
    const k0 = bin(lo);
    const labels = Array.from({ length: bin(hi) - k0 + 1 }, (_, i) => name(k0 + i));
    return { labels, label: (v) => name(bin(v as number)) };
  }
  const sorted = numeric
    ? (distinct as number[]).sort((a, b) => a - b)
    : distinct.sort((a, b) => String(a).localeCompare(String(b)));
  const text = (v: unknown) => typeof v === "number" ? num(v) : String(v);
  return { labels: sorted.map(text), label: (v) => text(v) };
}
