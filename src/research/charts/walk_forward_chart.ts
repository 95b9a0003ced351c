// Walk-forward chart: in-sample vs out-of-sample objective per window, and the stitched OOS equity.

import * as Plot from "@observablehq/plot";
import { ConfigError } from "../../core/errors.ts";
import { minMaxPerBucket } from "./downsample.ts";
import type { EquityCurve } from "./equity_chart.ts";
import { num, utcAxis, utcLabel } from "./labels.ts";
import { type ChartOptions, composeChart, type PanelSpec, type SvgChart } from "./svg_chart.ts";

const IN_SAMPLE = "#a5b8d8";
const OUT_OF_SAMPLE = "#2962ff";

/** One walk-forward window: its out-of-sample period (UTC ms) and the objective on each side. */
export interface WalkForwardWindow {
  start: number;
  end: number;
  inSample: number;
  outOfSample: number;
}

/** Options for {@link walkForwardChart}. */
export interface WalkForwardChartOptions extends ChartOptions {
  /** Equity of the out-of-sample periods run back to back, drawn below the bars. */
  stitched?: EquityCurve;
  /** Name of the objective for the axis ["Objective"]. */
  objective?: string;
}

interface Bar {
  window: number;
  kind: "in-sample" | "out-of-sample";
  value: number;
  title: string;
}

/**
 * Bars of the in-sample and out-of-sample objective for each window side by side, and, when
 * `stitched` is given, the stitched out-of-sample equity below on a UTC axis with the windows
 * shaded and numbered. The equity is downsampled to min/max per pixel column.
 *
 * @example
 * ```ts
 * const wf = await walkForward(config, candles, { windows: 8 });
 * walkForwardChart(wf.windows, { stitched: wf.equity });
 * ```
 */
export function walkForwardChart(
  windows: readonly WalkForwardWindow[],
  options: WalkForwardChartOptions = {},
): SvgChart {
  if (!windows.length) throw new ConfigError("No walk-forward windows to chart.");
  const objective = options.objective ?? "Objective";
  const bars: Bar[] = windows.flatMap((w, i) => {
    const period = `${utcLabel(w.start)} → ${utcLabel(w.end)}`;
    return [
      { window: i + 1, kind: "in-sample", value: w.inSample, title: `Window ${i + 1} in-sample` },
      { window: i + 1, kind: "out-of-sample", value: w.outOfSample, title: `Window ${i + 1} OOS` },
    ].map((b) => ({ ...b, title: `${b.title}: ${num(b.value)}\nOOS ${period}` }) as Bar);
  });
  const width = options.width ?? 960;
  const finiteOos = windows.map((w) => w.outOfSample).filter(Number.isFinite);
  const mean = (a: number[]) => a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN;
  const panels: PanelSpec[] = [{
    weight: 0.45,
    plot: {
      fx: { label: "Window", padding: 0.2 },
      x: { axis: null, domain: ["in-sample", "out-of-sample"] },
      y: { label: objective, grid: true, nice: true },
      color: { type: "identity" },
      marginRight: 20,
      marginBottom: 32,
      marks: [
        Plot.barY(bars.filter((b) => Number.isFinite(b.value)), {
          fx: "window",
          x: "kind",
          y: "value",
          fill: (b: Bar) => b.kind === "in-sample" ? IN_SAMPLE : OUT_OF_SAMPLE,
          title: "title",
          className: "wf-bar",
        }),
        Plot.ruleY([0], { stroke: "#8c959f" }),
      ],
    },
  }];
  const stitched = options.stitched;
  if (stitched && stitched.ts.length) {
    const line = minMaxPerBucket(stitched.ts, stitched.equity, Math.max(10, width - 80));
    const n = stitched.ts.length;
    const from = Math.min(stitched.ts[0], windows[0].start);
    const to = Math.max(stitched.ts[n - 1], windows[windows.length - 1].end, from + 1);
    const shade = windows.map((w, i) => ({ ...w, window: i + 1 }));
    panels.push({
      weight: 0.55,
      plot: {
        x: utcAxis([from, to]),
        y: { label: "Stitched OOS equity", grid: true, nice: true },
        color: { type: "identity" },
        marginTop: 24,
        marginRight: 20,
        marginBottom: 44,
        marks: [
          Plot.rect(shade, {
            x1: "start",
            x2: "end",
            fill: (w: { window: number }) => w.window % 2 ? "#eef2fa" : "#f6f8fa",
            title: (w: WalkForwardWindow & { window: number }) =>
              `Window ${w.window}: ${utcLabel(w.start)} → ${utcLabel(w.end)}`,
            className: "wf-window",
          }),
          Plot.text(shade, {
            x: (w: WalkForwardWindow) => (w.start + w.end) / 2,
            frameAnchor: "top",
            dy: 10,
            text: (w: { window: number }) => String(w.window),
            fill: "#57606a",
            className: "wf-window-label",
          }),
          Plot.lineY(Array.from(line.ts, (_, i) => i), {
            x: (i: number) => line.ts[i],
            y: (i: number) => line.v[i],
            stroke: OUT_OF_SAMPLE,
            strokeWidth: 1.25,
            className: "wf-equity",
          }),
        ],
      },
    });
  }
  return composeChart({
    width,
    height: options.height ?? (stitched ? 540 : 320),
    title: options.title ?? "Walk-forward",
    subtitle: [
      `${windows.length} windows`,
      `OOS > 0 in ${finiteOos.filter((v) => v > 0).length}/${windows.length}`,
      `mean in-sample ${num(mean(windows.map((w) => w.inSample).filter(Number.isFinite)), 4)}`,
      `mean OOS ${num(mean(finiteOos), 4)}`,
    ].join(" · "),
    legend: [
      { label: "in-sample", color: IN_SAMPLE },
      { label: "out-of-sample", color: OUT_OF_SAMPLE },
    ],
    panels,
  });
}
