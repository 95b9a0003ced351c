// Chart output: the Jupyter display hook, text and file forms, and a PNG rendered by Chromium.

import assert from "node:assert/strict";
import { toColumns } from "../../../src/core/candles.ts";
import { candleChart, pnlHistogram, SvgChart } from "../../../src/research/charts/mod.ts";
import { k, tempDir } from "../../support.ts";
import { requireTool } from "../../requirements_support.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function sample(): SvgChart {
  const rows = Array.from({ length: 48 }, (_, i) => {
    const o = 100 + 10 * Math.sin(i / 6);
    const c = 100 + 10 * Math.sin((i + 1) / 6);
    return k(T0 + i * H, o, Math.max(o, c) + 1.5, Math.min(o, c) - 1.5, c, 1);
  });
  const candles = toColumns(rows);
  return candleChart(candles, {
    width: 900,
    height: 600,
    title: "SYN/USDT 1h",
    trades: [{
      side: "long",
      entry_ts: T0 + 20 * H,
      exit_ts: T0 + 30 * H,
      entry_price: candles.open[20],
      exit_price: candles.open[30],
      pnl: candles.open[30] - candles.open[20],
      exit_reason: "tp",
      sl: candles.open[20] - 4,
      tp: candles.open[30],
    }, {
      side: "short",
      entry_ts: T0 + 34 * H,
      exit_ts: T0 + 40 * H,
      entry_price: candles.open[34],
      exit_price: candles.open[40],
      pnl: candles.open[34] - candles.open[40],
      exit_reason: "sl",
      sl: candles.open[40],
    }],
  });
}

Deno.test("a chart is shown by the Jupyter kernel as image/svg+xml and prints as its SVG", async () => {
  const chart = pnlHistogram([{ pnl: 1 }, { pnl: -2 }, { pnl: 3 }]);
  assert.ok(chart instanceof SvgChart);
  const display = (chart as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ];
  assert.equal(typeof display, "function");
  const bundle = display.call(chart);
  assert.deepEqual(Object.keys(bundle), ["image/svg+xml"]);
  assert.equal(bundle["image/svg+xml"], chart.svg);
  assert.equal(String(chart), chart.svg);
  assert.equal(`${chart}`, chart.svg);
  assert.ok(chart.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal(pnlHistogram([{ pnl: 1 }, { pnl: -2 }, { pnl: 3 }]).svg, chart.svg, "deterministic");

  await using dir = await tempDir();
  const path = `${dir.path}/pnl.svg`;
  await chart.save(path);
  assert.equal(await Deno.readTextFile(path), chart.svg);
});

Deno.test("Chromium renders a chart's SVG file to a PNG of the window size", async () => {
  const chromium = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
  const found = await Deno.stat(chromium).then((s) => s.isFile, () => false);
  if (!requireTool("chromium", found, `${chromium} is missing (apt-get install -y chromium)`)) {
    return;
  }
  await using dir = await tempDir();
  const svg = `${dir.path}/candles.svg`;
  const png = `${dir.path}/candles.png`;
  await Deno.writeTextFile(svg, sample().svg);
  const out = await new Deno.Command(chromium, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--hide-scrollbars",
      `--user-data-dir=${dir.path}/profile`,
      `--screenshot=${png}`,
      "--window-size=900,600",
      `file://${svg}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const bytes = await Deno.readFile(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(String.fromCharCode(...bytes.subarray(12, 16)), "IHDR");
  assert.equal(view.getUint32(16), 900, "width");
  assert.equal(view.getUint32(20), 600, "height");
  // A blank 900×600 page compresses to a few KB; candles, text and markers take far more.
  assert.ok(bytes.length > 15_000, `PNG is ${bytes.length} bytes: the chart did not render`);
});
