// P&L histogram, optimisation history, parameter heatmap, walk-forward and ranking charts.

import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { ConfigError } from "../../../src/core/errors.ts";
import {
  type HistoryTrial,
  optimizationHistory,
  paramHeatmap,
  pnlBins,
  pnlHistogram,
  volatilityRanking,
  walkForwardChart,
} from "../../../src/research/charts/mod.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Parses the SVG as XML and checks it stands alone; returns the document. */
// deno-lint-ignore no-explicit-any
function standalone(svg: string): any {
  const doc = new (new JSDOM("").window.DOMParser)().parseFromString(svg, "image/svg+xml");
  assert.equal(doc.getElementsByTagName("parsererror").length, 0, "SVG parses as XML");
  const root = doc.documentElement;
  assert.equal(root.localName, "svg");
  assert.equal(root.getAttribute("xmlns"), SVG_NS);
  const [w, h] = [root.getAttribute("width"), root.getAttribute("height")];
  assert.ok(Number(w) > 0 && Number(h) > 0);
  assert.equal(root.getAttribute("viewBox"), `0 0 ${w} ${h}`);
  assert.doesNotMatch(svg, /<figure|<div|@import|<link|href="http|class="plot-/);
  return doc;
}

// deno-lint-ignore no-explicit-any
const marks = (doc: any, cls: string): any[] => [...doc.querySelectorAll(`g[class="${cls}"] > *`)];

Deno.test("pnlHistogram colours win and loss bins apart and marks the mean", () => {
  const trades = [-3, -1, 0, 2, 2.5].map((pnl) => ({ pnl }));
  assert.deepEqual(pnlBins([-3, -1, 0, 2, 2.5], 5), [
    { x1: -4, x2: -2, count: 1, outcome: "loss" },
    { x1: -2, x2: 0, count: 2, outcome: "loss" },
    { x1: 0, x2: 2, count: 1, outcome: "win" },
    { x1: 2, x2: 4, count: 1, outcome: "win" },
  ]);
  const chart = pnlHistogram(trades, { bins: 5 });
  const doc = standalone(chart.svg);
  const bars = marks(doc, "pnl-bin");
  assert.deepEqual(bars.map((b) => b.getAttribute("fill")), [
    "#f23645",
    "#f23645",
    "#089981",
    "#089981",
  ]);
  assert.equal(marks(doc, "pnl-mean").length, 1);
  assert.equal(marks(doc, "pnl-mean-label")[0].textContent, "mean +0.1");
  assert.match(chart.svg, /5 trades · win rate 40.0%/);
  assert.match(standalone(pnlHistogram([]).svg).documentElement.textContent, /No trades/);
});

const trials: HistoryTrial[] = [
  { number: 0, state: "complete", value: 1 },
  { number: 1, state: "complete", value: 0.5 },
  { number: 2, state: "pruned", value: null, intermediate: [0.2, 0.1] },
  { number: 3, state: "invalid", value: null, reason: "fast_period must be below slow_period" },
  { number: 4, state: "failed", value: null },
  { number: 5, state: "complete", value: 2 },
  { number: 6, state: "pruned", value: null, intermediate: [] },
];

Deno.test("optimizationHistory shows complete, pruned and invalid trials apart with the best so far", () => {
  const doc = standalone(optimizationHistory(trials).svg);
  assert.equal(marks(doc, "trial-complete").length, 3);
  assert.equal(marks(doc, "trial-pruned").length, 2);
  assert.equal(marks(doc, "trial-invalid").length, 2);
  assert.equal(marks(doc, "best-so-far").length, 1);
  const titles = marks(doc, "trial-invalid").map((m) => m.textContent);
  assert.deepEqual(titles, ["#3: invalid\nfast_period must be below slow_period", "#4: failed"]);
  assert.equal(marks(doc, "trial-pruned")[0].textContent, "#2: pruned at 0.1");
  assert.match(doc.documentElement.textContent, /best #5 = 2/);
  const min = standalone(optimizationHistory(trials, { direction: "minimize" }).svg);
  assert.match(min.documentElement.textContent, /best #1 = 0.5/);
});

Deno.test("paramHeatmap draws one cell per parameter pair holding the best value", () => {
  const grid: (HistoryTrial & { params: Record<string, number> })[] = [];
  for (const fast of [5, 10, 20]) {
    for (const slow of [50, 100, 150, 200]) {
      grid.push({
        number: grid.length,
        state: "complete",
        params: { fast, slow },
        value: fast / slow,
      });
    }
  }
  grid.push({ number: 99, state: "complete", params: { fast: 5, slow: 50 }, value: 7 });
  grid.push({ number: 100, state: "pruned", params: { fast: 40, slow: 50 }, value: null });
  const chart = paramHeatmap(grid, "fast", "slow");
  const doc = standalone(chart.svg);
  const cells = marks(doc, "heat-cell");
  assert.equal(cells.length, 12);
  const best = cells.find((c) => c.textContent.startsWith("fast 5, slow 50"));
  assert.equal(best.textContent, "fast 5, slow 50\nmax 7 over 2 trials");
  assert.equal(marks(doc, "heat-label").length, 12);
  assert.equal(doc.querySelectorAll("linearGradient stop").length, 11, "a colour ramp legend");
  assert.equal(paramHeatmap(grid, "fast", "slow").svg, chart.svg, "the same bytes every time");

  const many = Array.from({ length: 200 }, (_, i) => ({
    params: { a: i * 0.37, b: i % 5 },
    value: Math.sin(i),
  }));
  const binned = standalone(paramHeatmap(many, "a", "b", { bins: 10 }).svg);
  const xTicks = binned.querySelectorAll('g[aria-label="x-axis tick label"] text').length;
  assert.ok(xTicks >= 8 && xTicks <= 12, `${xTicks} bins of a`);
  assert.throws(() => paramHeatmap(grid, "fast", "nope"), ConfigError);
});

Deno.test("walkForwardChart puts in-sample and OOS bars side by side over the stitched equity", () => {
  const windows = [0, 1, 2].map((i) => ({
    start: T0 + i * 30 * DAY,
    end: T0 + (i + 1) * 30 * DAY,
    inSample: 1 + i / 10,
    outOfSample: i === 1 ? -0.4 : 0.6,
  }));
  const ts = Array.from({ length: 90 }, (_, i) => T0 + i * DAY);
  const stitched = { ts, equity: ts.map((_, i) => 1000 + i * 3) };
  const doc = standalone(walkForwardChart(windows, { stitched }).svg);
  const bars = marks(doc, "wf-bar");
  assert.equal(bars.length, 6);
  assert.deepEqual(
    bars.map((b) => b.getAttribute("fill")),
    ["#a5b8d8", "#2962ff", "#a5b8d8", "#2962ff", "#a5b8d8", "#2962ff"],
  );
  assert.match(bars[3].textContent, /^Window 2 OOS: -0.4\nOOS 2024-01-31 00:00 UTC → /);
  assert.equal(marks(doc, "wf-window").length, 3);
  assert.equal(marks(doc, "wf-equity").length, 1);
  assert.match(doc.documentElement.textContent, /OOS > 0 in 2\/3/);
  const bare = standalone(walkForwardChart(windows).svg);
  assert.equal(bare.documentElement.querySelectorAll(":scope > svg").length, 1);
});

Deno.test("volatilityRanking draws the top rows as bars, highest first", () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({
    symbol: `C${i}/USDT`,
    timeframe: "1h",
    score: (i * 17) % 30,
    atr_pct: i / 10,
  }));
  const doc = standalone(volatilityRanking(rows, { top: 10 }).svg);
  const bars = marks(doc, "rank-bar");
  assert.equal(bars.length, 10);
  const ys = bars.map((b) => Number(b.getAttribute("y")));
  const widths = bars.map((b) => Number(b.getAttribute("width")));
  const order = ys.map((y, i) => [y, widths[i]]).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
  assert.deepEqual(order, [...order].sort((a, b) => b - a), "longest bar on top");
  assert.match(bars[0].textContent, /^#1 C\d+\/USDT 1h\nscore: 29\natr_pct: /);
  const byAtr = standalone(volatilityRanking(rows, { metric: "atr_pct", top: 3 }).svg);
  assert.match(marks(byAtr, "rank-bar")[0].textContent, /^#1 C29\/USDT 1h/);
  assert.throws(() => volatilityRanking(rows, { metric: "nope" }), ConfigError);
});
