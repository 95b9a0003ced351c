// The service's edge under an anonymous flood: bots' candle rate idle and while 64 clients hammer
// health and the bot list, with 2 M stored candles (`deno run -A bench/edge_bench.ts` alone).
// The 64 clients are 64 keep-alive connections made by one light worker (edge_clients.ts), so
// the service, not the load generator, has the machine's cores.

import { percentile } from "./percentile.ts";
import { cpuSeconds, startService } from "./service_process.ts";
import type { BenchRow } from "./backtest_bench.ts";
import type { ClientsResult } from "./edge_clients.ts";
import { allocColumns } from "../src/core/candles.ts";
import { CandleStore } from "../src/store/candle_store.ts";
import { Db } from "../src/store/db.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** The load generator, named in the table. */
const GENERATOR = "raw-TCP keep-alive HTTP/1.1, 1 worker";

/** Options for {@link benchEdge}. */
export interface EdgeBenchOptions {
  /** Candles stored before the service starts [2_100_000], in series no bot trades. */
  candles?: number;
  /** Concurrent anonymous clients [64]. */
  clients?: number;
  /** Seconds measured idle, then under the flood [10]. */
  seconds?: number;
  /** Replay speed [600]. */
  speed?: number;
}

interface BotRow {
  bot_id: string;
  timeframe: string;
  state: string;
  candles_seen: number;
}

/**
 * Stores `candles` synthetic 1-minute candles (appender upserts, 4 series) in a fresh database,
 * starts the service on it as a user does (`src/main.ts --replay --speed 600 --db FILE --configs
 * configs/bots --port 0`, five bots), measures the bots' candle rate for `seconds` idle, then for
 * `seconds` while `clients` anonymous clients (keep-alive connections, each waiting for its
 * answer before asking again) loop on `GET /api/status/health` and `GET /api/bots`: the rate
 * under the flood against idle, and the answers' p50 and p99.
 */
export async function benchEdge(o: EdgeBenchOptions = {}): Promise<BenchRow[]> {
  const total = o.candles ?? 2_100_000;
  const clients = o.clients ?? 64;
  const seconds = o.seconds ?? 10;
  const speed = o.speed ?? 600;
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_edge_bench_" });
  const file = `${dir}/edge.duckdb`;
  await storeCandles(file, total);
  const service = await startService(dir, [
    "--speed",
    String(speed),
    "--db",
    file,
    "--configs",
    `${ROOT}configs/bots`,
  ]);
  const { child, url } = service;
  try {
    const bots = async () => {
      const body = await (await fetch(`${url}/api/bots`)).json() as { bots: BotRow[] };
      return { at: performance.now(), bots: body.bots };
    };
    // Let the bots warm up (their history loaded, the replay under way) before measuring.
    await sleep(3000);
    const cpu0 = cpuSeconds(child.pid);
    const idle0 = await bots();
    await sleep(seconds * 1000);
    const idle1 = await bots();
    const cpu1 = cpuSeconds(child.pid);
    const own1 = cpuSeconds(Deno.pid);
    const flood = await hammer(url, clients, seconds * 1000, bots);
    const cpu2 = cpuSeconds(child.pid);
    const clientsCpu = (cpuSeconds(Deno.pid) - own1) / ((flood.end.at - idle1.at) / 1000);
    const idleCpu = (cpu1 - cpu0) / ((idle1.at - idle0.at) / 1000);
    const floodCpu = (cpu2 - cpu1) / ((flood.end.at - idle1.at) / 1000);
    const idleRate = rates(idle0, idle1);
    const floodRate = rates(flood.start, flood.end);
    const ratio = floodRate.all / idleRate.all;
    const ratio1m = floodRate.oneMinute / idleRate.oneMinute;
    const { health, bots: list } = flood.result;
    const failed = Object.values(flood.result.failures).reduce((a, b) => a + b, 0);
    return [
      {
        name: `edge: bots' candles/s idle (5 bots, replay x${speed}, ${fmtM(total)} stored)`,
        value: round1(idleRate.all),
        unit: "candles/s",
        goal: "(reported)",
        met: true,
      },
      {
        name: `edge: bots' candles/s with ${clients} clients on health + /api/bots`,
        value: round1(floodRate.all),
        unit: "candles/s",
        goal: ">= 90% idle",
        met: ratio >= 0.9,
      },
      {
        name: "edge: 1m bot's candles/s under the flood / idle",
        value: Math.round(ratio1m * 100),
        unit: "%",
        goal: ">= 90",
        met: ratio1m >= 0.9,
      },
      {
        name: `edge: GET /api/status/health p50 under the flood (${health.length} answers)`,
        value: round1(percentile(health, 0.5)),
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: "edge: GET /api/status/health p99 under the flood",
        value: round1(percentile(health, 0.99)),
        unit: "ms",
        goal: "<= 20",
        met: percentile(health, 0.99) <= 20,
      },
      {
        name: "edge: the service's CPU idle / under the flood (share of one core)",
        value: Math.round(idleCpu * 100),
        unit: "%",
        goal: `${Math.round(floodCpu * 100)} % flood`,
        met: true,
      },
      {
        name: `edge: the clients' CPU (${GENERATOR}; ${navigator.hardwareConcurrency} cores)`,
        value: Math.round(clientsCpu * 100),
        unit: "%",
        goal: "(reported)",
        met: true,
      },
      {
        name: `edge: GET /api/bots p99 under the flood (${list.length} answers)`,
        value: round1(percentile(list, 0.99)),
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: `edge: answers other than 200 under the flood ${
          JSON.stringify(flood.result.failures)
        }`,
        value: failed,
        unit: "answers",
        goal: "0",
        met: failed === 0,
      },
    ];
  } finally {
    await service.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Stores `total` candles in 4 series of the "bench" exchange, through the appender. */
async function storeCandles(file: string, total: number): Promise<void> {
  const db = await Db.open(file);
  try {
    const store = new CandleStore(db);
    const per = Math.ceil(total / 4);
    for (let s = 0; s < 4; s++) {
      const c = allocColumns(per);
      let p = 100 + s;
      for (let i = 0; i < per; i++) {
        const o = p;
        p = o * (1 + Math.sin(i * 0.37 + s) * 0.001);
        c.ts[i] = Date.UTC(2020, 0, 1) + i * 60_000;
        c.open[i] = o;
        c.close[i] = p;
        c.high[i] = Math.max(o, p) * 1.001;
        c.low[i] = Math.min(o, p) * 0.999;
        c.volume[i] = 5 + (i % 11);
      }
      await store.upsert({ exchange: "bench", symbol: `S${s}/USDT`, timeframe: "1m" }, c);
    }
  } finally {
    await db.close();
  }
}

/**
 * `clients` keep-alive connections, each alternating health and the bot list for `ms`, in one
 * worker (edge_clients.ts: raw TCP, light enough to leave the service its share of the CPU, and
 * apart from this event loop, which reads the bots' counters once the flood is under way and as
 * it ends).
 */
async function hammer(
  url: string,
  clients: number,
  ms: number,
  bots: () => Promise<{ at: number; bots: BotRow[] }>,
) {
  const worker = new Worker(new URL("./edge_clients.ts", import.meta.url), { type: "module" });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      worker.addEventListener("message", (e) => resolve(e.data), { once: true });
      worker.addEventListener("error", (e) => reject(new Error(e.message)), { once: true });
    });
  const started = next<"started">();
  worker.postMessage({ url, clients, first: 0 });
  await started;
  await sleep(500); // every client has a request in flight
  const start = await bots();
  await sleep(ms);
  const end = await bots();
  const done = next<ClientsResult>();
  worker.postMessage("stop");
  const result = await done;
  return { result, start, end };
}

/** Candles per second between two readings: all bots, and the 1-minute bots. */
function rates(a: { at: number; bots: BotRow[] }, b: { at: number; bots: BotRow[] }) {
  const secs = (b.at - a.at) / 1000;
  const seen = (r: { bots: BotRow[] }, tf?: string) =>
    r.bots.filter((x) => !tf || x.timeframe === tf).reduce((s, x) => s + x.candles_seen, 0);
  return {
    all: (seen(b) - seen(a)) / secs,
    oneMinute: (seen(b, "1m") - seen(a, "1m")) / secs,
  };
}

/** User and system CPU time of process `pid` so far, in seconds (Linux). */
const round1 = (x: number) => Math.round(x * 10) / 10;
const fmtM = (n: number) => `${(n / 1e6).toFixed(1)} M`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (import.meta.main) {
  for (const r of await benchEdge()) {
    console.log(
      `${r.name.padEnd(72)} ${String(r.value).padStart(9)} ${r.unit.padEnd(10)} ${r.goal}`,
    );
  }
}
