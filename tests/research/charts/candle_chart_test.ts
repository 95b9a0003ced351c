// Candle chart: marks per candle, trade markers and levels, UTC axis, downsampling a year of 1m.

import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { toColumns } from "../../../src/core/candles.ts";
import { ConfigError } from "../../../src/core/errors.ts";
import { synthCandles } from "../../../src/data/synth.ts";
import {
  bucketCandles,
  bucketMsFor,
  candleChart,
  type ChartTrade,
} from "../../../src/research/charts/mod.ts";
import { k, makeCandles } from "../../support.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const H = 3_600_000;
const T0 = Date.UTC(2024, 2, 10);

/** Parses the SVG as XML and checks it stands alone; returns the document. */
// deno-lint-ignore no-explicit-any
function standalone(svg: string): any {
  const doc = new (new JSDOM("").window.DOMParser)().parseFromString(svg, "image/svg+xml");
  assert.equal(doc.getElementsByTagName("parsererror").length, 0, "SVG parses as XML");
  const root = doc.documentElement;
  assert.equal(root.localName, "svg");
  assert.equal(root.namespaceURI, SVG_NS);
  assert.equal(root.getAttribute("xmlns"), SVG_NS);
  const [w, h] = [root.getAttribute("width"), root.getAttribute("height")];
  assert.equal(root.getAttribute("viewBox"), `0 0 ${w} ${h}`);
  assert.match(svg, /^<svg[^>]* xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.doesNotMatch(svg, /<figure|<div|@import|<link|href="http|class="plot-/);
  return doc;
}

const count = (doc: { querySelectorAll(s: string): { length: number } }, cls: string) =>
  doc.querySelectorAll(`g[class="${cls}"] > *`).length;

const hourly = toColumns([
  k(T0, 100, 104, 99, 103, 1),
  k(T0 + H, 103, 105, 101, 102, 1),
  k(T0 + 2 * H, 102, 102, 97, 98, 1),
  k(T0 + 3 * H, 98, 100, 96, 98, 1), // doji
  k(T0 + 4 * H, 98, 103, 98, 102, 1),
]);

const trades: ChartTrade[] = [
  {
    side: "long",
    entry_ts: T0 + H,
    exit_ts: T0 + 3 * H,
    entry_price: 103,
    exit_price: 98,
    pnl: -5.2,
    exit_reason: "sl",
    sl: 98,
    tp: 110,
  },
  {
    side: "short",
    entry_ts: T0 + 3 * H,
    exit_ts: T0 + 4 * H,
    entry_price: 98,
    exit_price: 99,
    pnl: -1.1,
    exit_reason: "signal",
  },
];

Deno.test("candleChart draws a body and a wick per candle and marks every trade", () => {
  const chart = candleChart(hourly, {
    trades,
    levels: [{ from: T0, to: T0 + 2 * H, price: 106, kind: "tp" }],
    title: "SYN/USDT 1h",
  });
  const doc = standalone(chart.svg);
  assert.equal(count(doc, "candle-body"), 5);
  assert.equal(count(doc, "candle-wick"), 5);
  assert.equal(count(doc, "trade-entry"), 2);
  assert.equal(count(doc, "trade-exit"), 2);
  assert.equal(count(doc, "trade-path"), 2);
  assert.equal(count(doc, "level-sl"), 1);
  assert.equal(count(doc, "level-tp"), 2);
  const bodies = [...doc.querySelectorAll('g[class="candle-body"] > rect')];
  assert.deepEqual(
    bodies.map((r) => r.getAttribute("fill")),
    ["#089981", "#f23645", "#f23645", "#089981", "#089981"],
  );
  assert.equal(bodies[3].getAttribute("stroke"), "#089981", "a doji's body is outlined");
  const exits = [...doc.querySelectorAll('g[class="trade-exit"] title')].map((t) => t.textContent);
  assert.match(exits[0], /^Long exit \(sl\) @ 98\n2024-03-10 03:00 UTC\nP&L -5.2$/);
  assert.match(exits[1], /^Short exit \(signal\)/);
  const entries = [...doc.querySelectorAll('g[class="trade-entry"] > path')];
  assert.match(entries[1].getAttribute("transform"), /rotate\(180\)/, "short entries point down");
  assert.match(chart.svg, />SYN\/USDT 1h</);
});

Deno.test("candleChart labels its axis in UTC, whatever the process time zone", async () => {
  const candles = makeCandles(24, T0, H);
  const chart = candleChart(candles);
  const doc = standalone(chart.svg);
  const ticks = [...doc.querySelectorAll('g[aria-label="x-axis tick label"] text')]
    .map((t) => [...t.childNodes].map((n) => n.textContent).join(" "));
  assert.ok(ticks.includes("00:00 Mar 10"), ticks.join("|"));
  assert.ok(ticks.includes("12:00"), ticks.join("|"));
  assert.ok(ticks.includes("00:00 Mar 11"), ticks.join("|"));
  assert.match(chart.svg, /2024-03-10 00:00 UTC → 2024-03-11 00:00 UTC/);

  const module = new URL("../../../src/research/charts/candle_chart.ts", import.meta.url).href;
  const helpers = new URL("../../support.ts", import.meta.url).href;
  const code = `import { candleChart } from "${module}"; import { makeCandles } from "${helpers}";
    console.log(candleChart(makeCandles(24, ${T0}, ${H})).svg);`;
  for (const tz of ["America/New_York", "Asia/Kolkata"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", code],
      cwd: new URL("../../../", import.meta.url).pathname,
      env: { TZ: tz, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout).trim(), chart.svg, `same SVG with TZ=${tz}`);
  }
});

Deno.test("candleChart shows only the from/to range and refuses an empty one", () => {
  const candles = makeCandles(100, T0, 60_000);
  const doc = standalone(
    candleChart(candles, { from: T0 + 10 * 60_000, to: T0 + 20 * 60_000 }).svg,
  );
  assert.equal(count(doc, "candle-body"), 10);
  assert.throws(() => candleChart(candles, { from: T0 - 10 * H, to: T0 - H }), ConfigError);
});

Deno.test("candleChart merges a year of 1m candles into daily ones and groups the trades", () => {
  const year = synthCandles({ bars: 525_600, seed: 11 });
  const many: ChartTrade[] = Array.from({ length: 5000 }, (_, i) => {
    const a = i * 100;
    return {
      side: i % 3 ? "long" : "short",
      entry_ts: year.ts[a],
      exit_ts: year.ts[a + 60],
      entry_price: year.open[a],
      exit_price: year.open[a + 60],
      pnl: year.open[a + 60] - year.open[a],
      exit_reason: i % 2 ? "tp" : "sl",
      sl: year.low[a],
      tp: year.high[a],
    };
  });
  const chart = candleChart(year, { trades: many });
  const doc = standalone(chart.svg);
  assert.equal(bucketMsFor(365 * 24 * H, 60_000, 440), 24 * H);
  assert.equal(count(doc, "candle-body"), 365);
  assert.ok(count(doc, "trade-entry") <= 365 && count(doc, "trade-entry") > 300);
  assert.equal(count(doc, "level-sl"), 0, "levels are left out when trades are grouped");
  assert.match(chart.svg, /525,600 candles \(1m\) · drawn as 365 × 1d/);
  assert.ok(chart.svg.length < 300_000, `SVG is ${chart.svg.length} bytes`);
  const bare = candleChart(year);
  assert.ok(bare.svg.length < 100_000, `SVG without trades is ${bare.svg.length} bytes`);
  assert.equal(count(doc, "candle-wick"), 365);
  const tops = [...doc.querySelectorAll('g[class="trade-entry"] title')];
  assert.match(
    tops[0].textContent,
    /^Entries: \d+ long, \d+ short\n1d candle of 2024-01-01 00:00 UTC/,
  );
});

Deno.test("bucketCandles keeps the first open, the extremes, the last close and the volume", () => {
  const c = makeCandles(3 * 1440, Date.UTC(2024, 0, 1), 60_000);
  const daily = bucketCandles(c, 24 * H);
  assert.deepEqual(Array.from(daily.ts), [0, 1, 2].map((d) => Date.UTC(2024, 0, 1 + d)));
  const day = c.high.subarray(1440, 2880);
  assert.equal(daily.open[1], c.open[1440]);
  assert.equal(daily.close[1], c.close[2879]);
  assert.equal(daily.high[1], Math.max(...day));
  assert.equal(daily.low[1], Math.min(...c.low.subarray(1440, 2880)));
  assert.equal(daily.volume[1], c.volume.subarray(1440, 2880).reduce((a, b) => a + b, 0));
  const weekly = bucketCandles(c, 7 * 24 * H);
  assert.equal(weekly.ts[0], Date.UTC(2024, 0, 1), "weeks start on Monday");
});
