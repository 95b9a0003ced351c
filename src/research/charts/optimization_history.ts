// Optimisation history: each trial's objective, the best so far, pruned and invalid trials apart.

import * as Plot from "@observablehq/plot";
import { num } from "./labels.ts";
import { type ChartOptions, composeChart, type SvgChart } from "./svg_chart.ts";

const COMPLETE = "#4269d0";
const PRUNED = "#8c959f";
const INVALID = "#d62728";
const BEST = "#ef8a00";

/** A trial as the chart reads it (an optimiser `Trial` fits). */
export interface HistoryTrial {
  number: number;
  /** Objective on all the data; null or non-finite when there is none. */
  value: number | null | undefined;
  /** "complete", "pruned", "invalid" or "failed" (anything else counts as invalid). */
  state: string;
  /** A complete trial whose score is not finite (a broken constraint) is not ranked. */
  score?: number;
  /** Objective at each pruning checkpoint; a pruned trial is drawn at its last one. */
  intermediate?: readonly (number | null)[];
  reason?: string | null;
}

/** Options for {@link optimizationHistory}. */
export interface OptimizationHistoryOptions extends ChartOptions {
  /** Whether higher or lower objective values are better ["maximize"]. */
  direction?: "maximize" | "minimize";
}

interface Point {
  number: number;
  y: number;
  title: string;
}

/**
 * Each trial's objective by trial number (blue dots), the best so far (orange step line), pruned
 * trials as hollow grey rings at their last checkpoint value, and trials without a value
 * (invalid, failed, pruned before a checkpoint) as red crosses along the bottom edge.
 *
 * @example
 * ```ts
 * const study = await optimize(config, candles, { trials: 200 });
 * optimizationHistory(study.trials);
 * ```
 */
export function optimizationHistory(
  trials: readonly HistoryTrial[],
  options: OptimizationHistoryOptions = {},
): SvgChart {
  const sign = options.direction === "minimize" ? -1 : 1;
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const ranked: Point[] = [];
  const unranked: Point[] = [];
  const pruned: Point[] = [];
  const bottom: (Point & { state: string })[] = [];
  for (const t of sorted) {
    const why = t.reason ? `\n${t.reason}` : "";
    const value = typeof t.value === "number" && Number.isFinite(t.value) ? t.value : undefined;
    if (t.state === "complete" && value !== undefined) {
      const point = { number: t.number, y: value, title: `#${t.number}: ${num(value)}${why}` };
      if (t.score === undefined || Number.isFinite(t.score)) ranked.push(point);
      else unranked.push({ ...point, title: `${point.title}\n(not ranked)` });
    } else if (t.state === "pruned") {
      const last = [...(t.intermediate ?? [])].reverse().find((v) => v !== null && isFinite(v));
      const y = value ?? last;
      const title = `#${t.number}: pruned${
        y !== null && y !== undefined ? ` at ${num(y)}` : ""
      }${why}`;
      if (y === null || y === undefined) {
        bottom.push({ number: t.number, y: NaN, title, state: "pruned" });
      } else pruned.push({ number: t.number, y, title });
    } else {
      const state = t.state === "complete" ? "no value" : t.state;
      bottom.push({ number: t.number, y: NaN, title: `#${t.number}: ${state}${why}`, state });
    }
  }
  const best: { number: number; y: number }[] = [];
  let top: Point | undefined;
  for (const p of ranked) {
    if (!top || sign * p.y > sign * top.y) top = p;
    best.push({ number: p.number, y: top.y });
  }
  const last = sorted[sorted.length - 1];
  if (top && last && last.number > best[best.length - 1].number) {
    best.push({ number: last.number, y: top.y });
  }
  const invalid = bottom.filter((b) => b.state !== "pruned");
  const prunedLow = bottom.filter((b) => b.state === "pruned");
  const counts = [
    `${sorted.length} trials`,
    `${ranked.length + unranked.length} complete`,
    `${pruned.length + prunedLow.length} pruned`,
    `${invalid.length} invalid or failed`,
  ];
  if (top) counts.push(`best #${top.number} = ${num(top.y)}`);
  const dot = { x: "number", y: "y", title: "title" } as const;
  return composeChart({
    width: options.width ?? 720,
    height: options.height ?? 380,
    title: options.title ?? "Optimisation history",
    subtitle: counts.join(" · "),
    legend: [
      { label: "complete", color: COMPLETE },
      { label: "pruned", color: PRUNED, kind: "hollow" },
      { label: "invalid / failed", color: INVALID, kind: "cross" },
      { label: `best so far (${options.direction ?? "maximize"})`, color: BEST, kind: "line" },
    ],
    panels: [{
      plot: {
        x: { label: "Trial", nice: true },
        y: { label: "Objective", grid: true, nice: true },
        marginRight: 20,
        marginBottom: 40,
        marks: [
          Plot.dot(pruned, {
            ...dot,
            r: 3,
            stroke: PRUNED,
            fill: "none",
            className: "trial-pruned",
          }),
          Plot.dot(prunedLow, {
            x: "number",
            title: "title",
            frameAnchor: "bottom",
            r: 3,
            stroke: PRUNED,
            fill: "none",
            className: "trial-pruned",
          }),
          Plot.dot(unranked, { ...dot, r: 2.5, fill: PRUNED, className: "trial-complete" }),
          Plot.dot(ranked, { ...dot, r: 2.5, fill: COMPLETE, className: "trial-complete" }),
          Plot.dot(invalid, {
            x: "number",
            title: "title",
            frameAnchor: "bottom",
            symbol: "times",
            r: 3,
            stroke: INVALID,
            strokeWidth: 1.5,
            className: "trial-invalid",
          }),
          Plot.line(best, {
            x: "number",
            y: "y",
            curve: "step-after",
            stroke: BEST,
            strokeWidth: 2,
            className: "best-so-far",
          }),
        ],
      },
    }],
  });
}
