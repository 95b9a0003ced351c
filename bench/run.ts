// `deno task bench [store|indicators|scan|backtest|cli|csv|optimize|service|edge|chat|live|webhook|page]`: measures speed targets, prints a table, writes JSON.

import { allocColumns } from "../src/core/candles.ts";
import { CandleStore } from "../src/store/candle_store.ts";
import { Db } from "../src/store/db.ts";

import type { BenchRow } from "./backtest_bench.ts";

const rows: BenchRow[] = [];
const record = (r: BenchRow) => rows.push(r);

function candles(n: number, start: number) {
  const c = allocColumns(n);
  let p = 30_000;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = Math.round((p * (1 + Math.sin(i * 0.37) * 0.001)) * 100) / 100;
    c.ts[i] = start + i * 60_000;
    c.open[i] = o;
    c.close[i] = p;
    c.high[i] = Math.max(o, p) + 1;
    c.low[i] = Math.min(o, p) - 1;
    c.volume[i] = 5 + (i % 11);
  }
  return c;
}

async function median(times: number, fn: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < times; i++) xs.push(await fn());
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

async function storeBench(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_bench_" });
  const db = await Db.open(`${dir}/bench.duckdb`);
  try {
    const store = new CandleStore(db);
    const N = 1_000_000;
    const data = candles(N, Date.UTC(2023, 0, 1));
    let run = 0;
    const ingestMs = await median(3, async () => {
      const key = { exchange: "bench", symbol: `S${run++}/USDT`, timeframe: "1m" };
      const t = performance.now();
      await store.upsert(key, data);
      return performance.now() - t;
    });
    const ingestRate = N / (ingestMs / 1000);
    record({
      name: "ingest 1M new candles (appender upsert, file db)",
      value: Math.round(ingestRate),
      unit: "candles/s",
      goal: ">= 1,000,000",
      met: ingestRate >= 1e6,
    });
    const key = { exchange: "bench", symbol: "S0/USDT", timeframe: "1m" };
    const replaceMs = await median(3, async () => {
      const t = performance.now();
      await store.upsert(key, data);
      return performance.now() - t;
    });
    record({
      name: "upsert 1M candles that all exist (replace)",
      value: Math.round(N / (replaceMs / 1000)),
      unit: "candles/s",
      goal: "(informational)",
      met: true,
    });
    const readMs = await median(5, async () => {
      const t = performance.now();
      const cols = await store.read(key);
      if (cols.ts.length !== N) throw new Error(`read ${cols.ts.length} candles, expected ${N}`);
      return performance.now() - t;
    });
    record({
      name: "read 1M candles as Float64Arrays",
      value: Math.round(readMs),
      unit: "ms",
      goal: "< 300",
      met: readMs < 300,
    });
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const only = Deno.args[0];
if (!only || only === "store") await storeBench();
if (!only || only === "indicators") {
  const { benchIndicators } = await import("./indicators_bench.ts");
  for (const r of await benchIndicators()) record({ goal: "(reported)", met: true, ...r });
}
if (!only || only === "scan") {
  const { benchScan } = await import("./scan_bench.ts");
  rows.push(...await benchScan());
}
if (!only || only === "optimize") {
  const { benchOptimize } = await import("./optimize_bench.ts");
  rows.push(...await benchOptimize());
}
if (!only || only === "service") {
  const { benchService } = await import("./service_bench.ts");
  rows.push(...await benchService());
  rows.push(...await benchService(20, 600, 4)); // 20 bots: "comfortable", reported
}
if (!only || only === "edge") {
  const { benchEdge } = await import("./edge_bench.ts");
  rows.push(...await benchEdge());
}
if (!only || only === "chat") {
  const { benchChat } = await import("./chat_bench.ts");
  rows.push(...await benchChat());
}
if (!only || only === "webhook") {
  const { benchWebhook } = await import("./webhook_bench.ts");
  rows.push(...await benchWebhook());
}
if (!only || only === "page") {
  const { benchPage } = await import("./page_bench.ts");
  rows.push(...await benchPage());
}
if (!only || only === "live") {
  const { benchLive } = await import("./live_bench.ts");
  rows.push(...await benchLive());
}
if (!only || only === "csv") {
  const { benchCsv } = await import("./csv_bench.ts");
  rows.push(...await benchCsv());
}
if (!only || only === "cli") {
  const { benchCli } = await import("./cli_bench.ts");
  rows.push(...await benchCli());
}
if (!only || only === "backtest") {
  const { benchBacktests } = await import("./backtest_bench.ts");
  rows.push(...await benchBacktests());
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(
  `${"benchmark".padEnd(width)}  ${"value".padStart(12)}  unit        goal            met`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${r.value.toLocaleString("en-US").padStart(12)}  ${
      r.unit.padEnd(10)
    }  ${r.goal.padEnd(14)}  ${r.met ? "yes" : "NO"}`,
  );
}
const out = {
  at: new Date().toISOString(),
  deno: Deno.version.deno,
  cpus: navigator.hardwareConcurrency,
  rows,
};
await Deno.writeTextFile(
  new URL("./results.json", import.meta.url),
  JSON.stringify(out, null, 2) + "\n",
);
console.log("wrote bench/results.json");
