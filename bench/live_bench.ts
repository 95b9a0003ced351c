// A live bot on the loopback fake OKX: closed candle on the websocket -> order acknowledged.

import type { Candle } from "../src/core/candles.ts";
import { CcxtFeed } from "../src/feed/ccxt_feed.ts";
import { createExchange } from "../src/exchange/ccxt_client.ts";
import { botEntries } from "../src/service/bot_entries.ts";
import { LiveAccounts } from "../src/service/live_accounts.ts";
import { startService } from "../src/service/service.ts";
import { CandleStore } from "../src/store/candle_store.ts";
import { Db } from "../src/store/db.ts";
import { startFakeExchange } from "../tests/fakes/fake_exchange.ts";
import { attachFakeOkxTrading } from "../tests/fakes/fake_okx_trading.ts";
import { startFakeWs } from "../tests/fakes/fake_ws.ts";
import type { BenchRow } from "./backtest_bench.ts";

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 6, 12);
const at = (i: number) => T0 + i * MIN;
const KEYS = { apiKey: "bench-key", secret: "bench-secret", passphrase: "bench-pass" };
const ENV = {
  TRADING_MODE: "live",
  TRADING_APPROVED: "true",
  TIDEWATCH_OKX_API_KEY: KEYS.apiKey,
  TIDEWATCH_OKX_API_SECRET: KEYS.secret,
  TIDEWATCH_OKX_API_PASSWORD: KEYS.passphrase,
};

function candle(i: number): Candle {
  const close = 40_000 + 300 * Math.sin(i / 2.5) + i;
  const open = 40_000 + 300 * Math.sin((i - 1) / 2.5) + i - 1;
  const high = Math.max(open, close) + 5;
  return { ts: at(i), open, high, low: Math.min(open, close) - 5, close, volume: 10 };
}

/**
 * Runs one live sma_cross bot (2/5, a zigzag market: an order every few candles) through real
 * ccxt against the fake OKX's websocket and private REST for `candles` candles, and reports the
 * bot's figure for candles that sent orders: from the closed candle's arrival off the websocket
 * to the exchange's acknowledgement of every order it caused.
 */
export async function benchLive(candles = 400): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_live_bench_" });
  await Deno.mkdir(`${dir}/bots`);
  await Deno.writeTextFile(
    `${dir}/bots/live.json`,
    JSON.stringify({
      bot_id: "live",
      strategy: "sma_cross",
      mode: "live",
      parameters: { fast_period: 2, slow_period: 5, symbol: "BTC/USDT" },
      virtual_balance: 1000,
    }),
  );
  const rest = await startFakeExchange({ markets: { okx: ["BTC/USDT"] }, nowMs: at(39) + 1_000 });
  const okx = attachFakeOkxTrading(rest, { ...KEYS, balances: { USDT: 1_000_000 } });
  rest.setCandles("okx", "BTC/USDT", "1m", Array.from({ length: 40 }, (_, i) => candle(i)));
  okx.setPrice("BTC/USDT", candle(38).close);
  const ws = await startFakeWs(rest);
  const db = await Db.open(`${dir}/live.duckdb`);
  const accounts = await LiveAccounts.open(db, {
    env: ENV,
    exchange: (name, credentials) =>
      createExchange(name, { restOrigin: rest.url, rateLimitMs: 1, credentials }),
    broker: { pollIntervalMs: 0, clock: { now: () => rest.nowMs } },
  });
  const feed = new CcxtFeed({
    store: new CandleStore(db),
    now: () => rest.nowMs,
    exchange: (id) =>
      createExchange(id, { pro: true, restOrigin: rest.url, wsOrigin: ws.url, rateLimitMs: 1 }),
    graceMs: 60_000,
    onError: () => {},
  });
  const svc = await startService({
    db,
    entries: await botEntries(`${dir}/bots`, ENV),
    liveFeed: () => feed,
    wallNow: () => rest.nowMs,
    live: accounts,
  });
  const bot = svc.supervisor.get("live");
  try {
    const waitFor = async (ts: number) => {
      const end = performance.now() + 15_000;
      while (bot.status().last_candle_ts !== ts) {
        if (performance.now() > end) {
          throw new Error(
            `live bench: candle ${ts} never arrived: ${JSON.stringify(bot.status())}`,
          );
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    await waitFor(at(38));
    for (let i = 39; i < 39 + candles; i++) {
      rest.nowMs = at(i + 1) + 1_000;
      okx.setPrice("BTC/USDT", candle(i).close);
      ws.pushCandle("okx", "BTC/USDT", "1m", candle(i));
      ws.pushCandle("okx", "BTC/USDT", "1m", candle(i + 1), { closed: false });
      await waitFor(at(i));
    }
    const lat = bot.orderLatency.summary();
    const all = bot.latency.summary();
    const sent = okx.orderLog.filter((o) => o.outcome === "placed").length;
    return [
      {
        name: `live: candle off the websocket -> orders acked by the fake, p50 (${lat?.n} candles)`,
        value: lat?.p50 ?? NaN,
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: `live: the same, p99 (${sent} orders placed)`,
        value: lat?.p99 ?? NaN,
        unit: "ms",
        goal: "< 50",
        met: (lat?.p99 ?? Infinity) < 50,
      },
      {
        name: `live: every candle (with or without orders), p99 (${all?.n} candles)`,
        value: all?.p99 ?? NaN,
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
    ];
  } finally {
    await svc.close();
    await accounts.close();
    await ws.close();
    await rest.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}
