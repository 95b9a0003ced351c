// TradingView alerts into a running service: a sustained 500 alerts/s for 10 s against
// `src/main.ts --replay` with the five example bots; answer times, and every alert journaled
// (`deno task bench webhook`, or `deno run -A bench/webhook_bench.ts` alone).

import { percentile } from "./percentile.ts";
import type { BenchRow } from "./backtest_bench.ts";
import { Connection } from "./http_connection.ts";
import { startService } from "./service_process.ts";

const TOKEN = "bench-token-0123456789abcdef";
const SECRET = "bench-webhook-secret-0123";
/** Five bots that take alerts (the signals strategy), one market each: id and TradingView ticker. */
const BOTS = [
  { id: "tv_btc", symbol: "BTC/USDT", ticker: "OKX:BTCUSDT" },
  { id: "tv_eth", symbol: "ETH/USDT", ticker: "OKX:ETHUSDT" },
  { id: "tv_sol", symbol: "SOL/USDT", ticker: "OKX:SOLUSDT" },
  { id: "tv_xrp", symbol: "XRP/USDT", ticker: "OKX:XRPUSDT" },
  { id: "tv_doge", symbol: "DOGE/USDT", ticker: "OKX:DOGEUSDT" },
];

/** Options of {@link benchWebhook}. */
export interface WebhookBenchOptions {
  /** Alerts a second [500]. */
  rate?: number;
  /** Seconds of sending [10]. */
  seconds?: number;
  /** Replay speed of the bots meanwhile [60]. */
  speed?: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** write + fdatasync of one small line, `n` times, in the data folder's file system (ms). */
async function syncCost(dir: string, n = 300): Promise<number[]> {
  const path = `${dir}/sync_probe.jsonl`;
  const f = await Deno.open(path, { create: true, append: true });
  const line = new TextEncoder().encode(JSON.stringify({ seq: 1, body: "x".repeat(200) }) + "\n");
  const xs: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await f.write(line);
      await f.syncData();
      xs.push(performance.now() - t);
    }
  } finally {
    f.close();
    await Deno.remove(path);
  }
  return xs;
}

/**
 * Starts the service as a user does (five example bots replaying), then sends `rate` alerts a
 * second for `seconds` from this process (open loop: each alert leaves on its schedule, whether
 * or not earlier ones were answered), spread over the five bots, each with its own alert id.
 * Reports the answers' p50 and p99 (send to body read), and checks that the service holds as
 * many alerts as were answered 200, and that every alert was answered.
 */
export async function benchWebhook(o: WebhookBenchOptions = {}): Promise<BenchRow[]> {
  const rate = o.rate ?? 500;
  const seconds = o.seconds ?? 10;
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_webhook_bench_" });
  const sync = await syncCost(dir);
  const configs = `${dir}/bots`;
  await Deno.mkdir(configs);
  for (const b of BOTS) {
    await Deno.writeTextFile(
      `${configs}/${b.id}.json`,
      JSON.stringify({
        bot_id: b.id,
        strategy: "signals",
        symbol: b.symbol,
        parameters: { direction: "both" },
        source: "tradingview",
      }),
    );
  }
  const service = await startService(dir, [
    "--speed",
    String(o.speed ?? 60),
    "--db",
    `${dir}/webhook.duckdb`,
    "--configs",
    configs,
  ], { TIDEWATCH_API_TOKEN: TOKEN, TIDEWATCH_WEBHOOK_SECRET: SECRET });
  const { url } = service;
  try {
    const host = new URL(url).host;
    // Keep-alive connections over raw TCP, reused as they come free (a new one when all are
    // busy): the generator costs little of the machine the service shares with it.
    const idle: Connection[] = await Promise.all(
      Array.from({ length: 16 }, () => Connection.open(url)),
    );
    const send = async (i: number) => {
      const bot = BOTS[i % BOTS.length];
      const body = JSON.stringify({
        passphrase: SECRET,
        bot: bot.id,
        action: i % 2 ? "sell" : "buy",
        symbol: bot.ticker,
        price: 30_000 + i,
        sl: "1%",
        alert_id: `bench-${i}`,
        timenow: new Date().toISOString(),
      });
      const bytes = new TextEncoder().encode(body);
      const head = new TextEncoder().encode(
        `POST /webhooks/tradingview HTTP/1.1\r\nHost: ${host}\r\n` +
          `Content-Type: text/plain\r\nContent-Length: ${bytes.length}\r\n\r\n`,
      );
      const request = new Uint8Array(head.length + bytes.length);
      request.set(head);
      request.set(bytes, head.length);
      const t = performance.now();
      const conn = idle.pop() ?? await Connection.open(url);
      const res = await conn.request(request);
      idle.push(conn);
      const ms = performance.now() - t;
      const answer = JSON.parse(new TextDecoder().decode(res.body)) as { ok?: boolean };
      const server = Number(/server-timing:[^\r]*dur=([\d.]+)/i.exec(res.head)?.[1]);
      return { ms, server, ok: res.status === 200 && answer.ok === true };
    };
    // Warm up: connections, the route, the journal file (not counted).
    for (let i = 0; i < 50; i++) await send(1_000_000 + i);
    const total = rate * seconds;
    const results: Promise<{ ms: number; server: number; ok: boolean }>[] = [];
    const start = performance.now();
    await new Promise<void>((done) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
        while (results.length < due) results.push(send(results.length));
        if (results.length >= total) done();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const sentSeconds = (performance.now() - start) / 1000;
    const answers = await Promise.all(results);
    for (const c of idle.splice(0)) c.close();
    const ms = answers.map((a) => a.ms);
    const server = answers.map((a) => a.server).filter((x) => Number.isFinite(x));
    const ok = answers.filter((a) => a.ok).length;
    const listed = await (await fetch(`${url}/api/alerts?limit=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })).json() as { total: number };
    const stored = listed.total - 50; // the warm-up's
    return [
      {
        name: "webhook: write + fdatasync of one line here, p50 / p99 (300 syncs)",
        value: round2(percentile(sync, 0.5)),
        unit: "ms",
        goal: `${round2(percentile(sync, 0.99))} ms p99`,
        met: true,
      },
      {
        name: `webhook: ${total} alerts at ${rate}/s (sent in ${sentSeconds.toFixed(1)} s), p50`,
        value: round2(percentile(ms, 0.5)),
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: "webhook: answer p99 (5 replaying bots, alert durable before the answer)",
        value: round2(percentile(ms, 0.99)),
        unit: "ms",
        goal: "<= 10",
        met: percentile(ms, 0.99) <= 10,
      },
      {
        name: "webhook: in the service (handler start to journaled), p50 / p99",
        value: round2(percentile(server, 0.5)),
        unit: "ms",
        goal: `${round2(percentile(server, 0.99))} ms p99`,
        met: true,
      },
      {
        name: "webhook: answered 200 / sent",
        value: ok,
        unit: "alerts",
        goal: `${total}`,
        met: ok === total,
      },
      {
        name: "webhook: alerts stored (journal copied into DuckDB) / answered",
        value: stored,
        unit: "alerts",
        goal: `${ok}`,
        met: stored === ok,
      },
    ];
  } finally {
    await service.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  for (const r of await benchWebhook()) {
    console.log(`${r.name}: ${r.value} ${r.unit} (goal ${r.goal}) ${r.met ? "met" : "NOT met"}`);
  }
}
