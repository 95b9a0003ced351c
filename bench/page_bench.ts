// The status page as a trader opens it: its weight and first paint in Debian's Chromium, and the
// service's CPU with 20 bots while 3 pages stay open over the event stream
// (`deno task bench page`, or `deno run -A bench/page_bench.ts` alone).

import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../tests/browser/browser_support.ts";
import type { BenchRow } from "./backtest_bench.ts";
import { cpuSeconds, startService } from "./service_process.ts";
import { copiedBots } from "./service_bench.ts";

/** What one cold load of the page measured. */
interface Load {
  /** Bytes over the wire (compressed) of the document and everything it loaded. */
  bytes: number;
  /** First contentful paint, ms after navigation start. */
  fcp: number;
  /** The view drawn (its performance mark), ms after navigation start. */
  cards: number;
}

/**
 * One cold load (a fresh browser context, empty cache) of `url`, waiting for `selector`; `mark`
 * is the performance mark the view sets once it has drawn (tw:cards, tw:chart).
 */
async function coldLoad(
  browser: Browser,
  url: string,
  selector: string,
  mark: string,
): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.locator(selector).first().waitFor();
    await page.waitForLoadState("networkidle");
    const m = await page.evaluate<{ bytes: number; fcp: number; cards: number }>(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByType("resource");
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      return {
        bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
        fcp: fcp ? fcp.startTime : NaN,
        cards: performance.getEntriesByName(${JSON.stringify(mark)})[0]?.startTime ?? NaN,
      };
    })()`);
    return m;
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Starts the service as a user does (`src/main.ts --replay --speed 60`, 20 bots: the five
 * examples four times), then: 5 cold loads of the bots view (weight, first paint, cards drawn),
 * 5 of one bot's view with its chart; the service's CPU for `seconds` with no page, then with 3
 * pages open on the bots view (live over SSE).
 */
export async function benchPage(seconds = 20): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_page_bench_" });
  const configs = await copiedBots(dir, 4);
  const service = await startService(dir, [
    "--speed",
    "60",
    "--db",
    `${dir}/page.duckdb`,
    "--configs",
    configs,
  ]);
  const { child, url } = service;
  const browser = await launchChromium();
  try {
    // A trader opens the page on a running service: every bot has loaded its history first.
    for (let settled = false; !settled;) {
      await sleep(500);
      const body = await (await fetch(`${url}/api/bots`)).json() as { bots: { state: string }[] };
      settled = body.bots.length === 20 && body.bots.every((b) => b.state !== "starting");
    }
    await sleep(2000);
    const bots: Load[] = [];
    for (let i = 0; i < 5; i++) {
      bots.push(await coldLoad(browser, `${url}/`, "article.bot >> nth=19", "tw:cards"));
    }
    const chart: Load[] = [];
    for (let i = 0; i < 5; i++) {
      chart.push(
        await coldLoad(browser, `${url}/#/bot/ema_crossover_01`, "[data-candles]", "tw:chart"),
      );
    }

    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const idle = (cpuSeconds(child.pid) - cpu0) / ((performance.now() - t0) / 1000);
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await (await browser.newContext()).newPage();
      await p.goto(`${url}/`);
      await p.locator("article.bot >> nth=19").waitFor();
      pages.push(p);
    }
    const cpu1 = cpuSeconds(child.pid);
    const t1 = performance.now();
    await sleep(seconds * 1000);
    const open = (cpuSeconds(child.pid) - cpu1) / ((performance.now() - t1) / 1000);
    const firstLoad = median(bots.map((l) => l.bytes));
    const fcp = median(bots.map((l) => l.fcp));
    return [
      {
        name: "page: first load of the bots view, compressed (20 bots)",
        value: round1(firstLoad / 1024),
        unit: "KB",
        goal: "<= 300",
        met: firstLoad <= 300 * 1024,
      },
      {
        name: "page: one bot's view with its chart, cold, compressed",
        value: round1(median(chart.map((l) => l.bytes)) / 1024),
        unit: "KB",
        goal: "<= 300",
        met: median(chart.map((l) => l.bytes)) <= 300 * 1024,
      },
      {
        name: "page: first contentful paint (median of 5 cold loads)",
        value: Math.round(fcp),
        unit: "ms",
        goal: "<= 1000",
        met: fcp <= 1000,
      },
      {
        name: "page: all 20 bot cards drawn (median of 5 cold loads)",
        value: Math.round(median(bots.map((l) => l.cards))),
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: "page: one bot's chart drawn (median of 5 cold loads)",
        value: Math.round(median(chart.map((l) => l.cards))),
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: "page: the service's CPU, 20 bots at 60x, no page open (share of a core)",
        value: Math.round(idle * 100),
        unit: "%",
        goal: "(reported)",
        met: true,
      },
      {
        name: "page: the service's CPU with 3 pages open over SSE",
        value: Math.round(open * 100),
        unit: "%",
        goal: `+${Math.round((open - idle) * 100)} points`,
        met: true,
      },
    ];
  } finally {
    await browser.close();
    await service.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const r of await benchPage()) {
    console.log(
      `${r.name.padEnd(72)} ${String(r.value).padStart(9)} ${r.unit.padEnd(6)} ${r.goal}`,
    );
  }
}
