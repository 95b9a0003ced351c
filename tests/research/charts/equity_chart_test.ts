// Equity chart: equity line over a drawdown panel, from a result or a curve; a year of 1m stays small.

import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { backtest } from "../../../src/backtest/run.ts";
import { synthCandles } from "../../../src/data/synth.ts";
import { drawdownSeries, equityChart, minMaxPerBucket } from "../../../src/research/charts/mod.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const DAY = 86_400_000;

/** Parses the SVG as XML and checks it stands alone; returns the document. */
// deno-lint-ignore no-explicit-any
function standalone(svg: string): any {
  const doc = new (new JSDOM("").window.DOMParser)().parseFromString(svg, "image/svg+xml");
  assert.equal(doc.getElementsByTagName("parsererror").length, 0, "SVG parses as XML");
  const root = doc.documentElement;
  assert.equal(root.localName, "svg");
  assert.equal(root.getAttribute("xmlns"), SVG_NS);
  const [w, h] = [root.getAttribute("width"), root.getAttribute("height")];
  assert.equal(root.getAttribute("viewBox"), `0 0 ${w} ${h}`);
  assert.doesNotMatch(svg, /<figure|<div|@import|<link|href="http|class="plot-/);
  return doc;
}

/** Number of points in an SVG path's `d` (its M/L commands). */
function pathPoints(d: string): number {
  return (d.match(/[ML]/g) ?? []).length;
}

Deno.test("equityChart stacks the equity line over the drawdown area on one UTC axis", () => {
  const ts = [0, 1, 2, 3].map((d) => Date.UTC(2024, 0, 1) + d * DAY);
  const chart = equityChart({ ts, equity: [100, 120, 90, 130] }, { width: 700, height: 400 });
  const doc = standalone(chart.svg);
  const root = doc.documentElement;
  assert.equal(root.getAttribute("width"), "700");
  assert.equal(root.getAttribute("height"), "400");
  const panels = root.querySelectorAll(":scope > svg");
  assert.equal(panels.length, 2, "two stacked panels");
  assert.ok(Number(panels[1].getAttribute("y")) > Number(panels[0].getAttribute("y")));
  const line = doc.querySelector('g[class="equity-line"] path');
  assert.equal(pathPoints(line.getAttribute("d")), 4);
  assert.ok(doc.querySelector('g[class="drawdown-area"] path'));
  assert.match(chart.svg, /100 → 130 \(\+30.00%\) · max drawdown -25.00%/);
  const ticks = [...panels[1].querySelectorAll('g[aria-label="x-axis tick label"] text')]
    .map((t) => t.textContent);
  assert.ok(ticks.includes("00:00Jan 2") && ticks.includes("12:00"), ticks.join("|"));
  assert.deepEqual(Array.from(drawdownSeries([100, 120, 90, 130])), [0, 0, -0.25, 0]);
});

Deno.test("equityChart takes a backtest result and names it after the run", async () => {
  const candles = synthCandles({ bars: 3000, seed: 5, timeframe: "15m" });
  const result = await backtest({
    strategy: "sma_cross",
    symbol: "SYN/USDT",
    timeframe: "15m",
    params: { fast_period: 10, slow_period: 30 },
  }, candles);
  const chart = equityChart(result);
  standalone(chart.svg);
  assert.match(chart.svg, />sma_cross · SYN\/USDT · 15m</);
  assert.ok(chart.svg.includes("max drawdown"));
});

Deno.test("equityChart downsamples a year of 1m equity to min/max per pixel column", () => {
  const n = 525_600;
  const ts = new Float64Array(n);
  const equity = new Float64Array(n);
  let e = 10_000;
  for (let i = 0; i < n; i++) {
    ts[i] = Date.UTC(2024, 0, 1) + i * 60_000;
    e *= 1 + Math.sin(i / 997) * 1e-4 + ((i * 7919) % 13 - 6) * 2e-5;
    equity[i] = e;
  }
  const chart = equityChart({ ts, equity }, { width: 960 });
  const doc = standalone(chart.svg);
  const d = doc.querySelector('g[class="equity-line"] path').getAttribute("d");
  assert.ok(pathPoints(d) <= 2 * 880 + 2, `${pathPoints(d)} points`);
  assert.ok(chart.svg.length < 300_000, `SVG is ${chart.svg.length} bytes`);

  const small = minMaxPerBucket(ts, equity, 880);
  let max = -Infinity, min = Infinity;
  for (const v of equity) max = Math.max(max, v), min = Math.min(min, v);
  assert.equal(Math.max(...small.v), max, "the highest point survives");
  assert.equal(Math.min(...small.v), min, "the lowest point survives");
  assert.equal(small.ts[0], ts[0]);
  assert.equal(small.ts[small.ts.length - 1], ts[n - 1]);
  assert.ok(small.ts.every((t, i) => i === 0 || t > small.ts[i - 1]), "time order is kept");
});
