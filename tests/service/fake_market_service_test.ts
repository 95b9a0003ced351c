// Five paper bots in one service on the loopback OKX fakes (real ccxt pro): a stop/start, a drop.

import assert from "node:assert/strict";
import { type Candle, type SeriesKey, toRows } from "../../src/core/candles.ts";
import { floorToTimeframe, timeframeMs } from "../../src/core/timeframe.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { CcxtFeed, type FeedError } from "../../src/feed/ccxt_feed.ts";
import { botEntries } from "../../src/service/bot_entries.ts";
import { assemble } from "../../src/assemble.ts";
import { BotStore } from "../../src/store/bot_store.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import { startFakeWs } from "../fakes/fake_ws.ts";
import { tempDir } from "../support.ts";
import { until } from "./service_process_support.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
/** The service starts 12 h into the seeded history. */
const START_MIN = 12 * 60;
const TOKEN = "fake-market-token-0123456789";
/** Safety net only: a stuck service fails the test instead of hanging it. */
const SAFETY_MS = 120_000;

const BOTS = [
  {
    bot_id: "fast_sma",
    strategy: "sma_cross",
    symbol: "BTC-USDT",
    parameters: { fast_period: 2, slow_period: 5, direction: "both" },
  },
  {
    bot_id: "btc_ema",
    strategy: "ema_cross",
    symbol: "BTC/USDT",
    parameters: { fast_period: 3, slow_period: 8, direction: "both" },
  },
  { bot_id: "eth_smc", strategy: "smc", symbol: "ETH/USDT", parameters: { swing_len: 2 } },
  {
    bot_id: "sol_dca",
    strategy: "dca",
    symbol: "SOL/USDT",
    timeframe: "3m",
    parameters: { interval_bars: 2, tp_pct: 0.5 },
    risk: { size_mode: "equity", size: 0.1 },
  },
  {
    bot_id: "xrp_erv",
    strategy: "ema_rsi_volume",
    symbol: "XRP/USDT",
    timeframe: "5m",
    parameters: { ema_period: 10, rsi_period: 5, volume_period: 5, min_confidence: 0.66 },
  },
];
/** The upstream series: BTC 1m is shared by fast_sma and btc_ema. */
const SERIES = [
  { symbol: "BTC/USDT", timeframe: "1m", base: 42_000 },
  { symbol: "ETH/USDT", timeframe: "1m", base: 2_300 },
  { symbol: "SOL/USDT", timeframe: "3m", base: 100 },
  { symbol: "XRP/USDT", timeframe: "5m", base: 0.5 },
];
type Series = (typeof SERIES)[number];
const keyOf = (s: Series): SeriesKey => ({ exchange: "okx", ...s });

const round = (x: number) => Math.round(x * 1e4) / 1e4;
/** A 12-candle price wave with a volume spike every 7th candle: crossovers every few candles. */
function candle(s: Series, ts: number): Candle {
  const i = (ts - T0) / timeframeMs(s.timeframe);
  const px = (k: number) => s.base * (1 + 0.01 * Math.sin((2 * Math.PI * k) / 12));
  const [open, close] = [round(px(i - 0.5)), round(px(i))];
  return {
    ts,
    open,
    high: round(Math.max(open, close) * 1.001),
    low: round(Math.min(open, close) * 0.999),
    close,
    volume: i % 7 === 0 ? 30 : 5 + (i % 3),
  };
}
const slots = (from: number, to: number, tf: number) =>
  Array.from({ length: Math.floor((to - from) / tf) + 1 }, (_, k) => from + k * tf);

interface BotView {
  bot_id: string;
  state: string;
  timeframe: string;
  last_candle_ts: number | null;
  candles_seen: number;
}

Deno.test("five paper bots on the fake exchange: one stops and starts alone; a websocket drop is back-filled once", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/bots`);
  for (const b of BOTS) {
    await Deno.writeTextFile(`${dir.path}/bots/${b.bot_id}.json`, JSON.stringify(b));
  }
  const db = await Db.open(`${dir.path}/svc.duckdb`);
  let minute = START_MIN;
  const nowAt = (m: number) => T0 + m * MIN + 10_000; // 10 s into the open candle
  const rest = await startFakeExchange({
    markets: { okx: SERIES.map((s) => s.symbol) },
    nowMs: nowAt(minute),
  });
  for (const s of SERIES) {
    const tf = timeframeMs(s.timeframe);
    rest.setCandles(
      "okx",
      s.symbol,
      s.timeframe,
      slots(T0, rest.nowMs, tf).map((t) => candle(s, t)),
    );
  }
  const ws = await startFakeWs(rest);
  const errors: FeedError[] = [];
  let feed: CcxtFeed | undefined;
  try {
    const service = await assemble({
      db,
      entries: await botEntries(`${dir.path}/bots`, {}),
      auth: requireBearer(TOKEN),
      version: "test",
      wallNow: () => rest.nowMs,
      liveFeed: (store) =>
        feed = new CcxtFeed({
          store,
          now: () => rest.nowMs,
          exchange: (id) =>
            createExchange(id, {
              pro: true,
              restOrigin: rest.url,
              wsOrigin: ws.url,
              rateLimitMs: 1,
            }),
          backoff: { initialMs: 10, maxMs: 50 },
          graceMs: 5_000,
          onError: (e) => errors.push(e),
        }),
    });
    try {
      const call = async (path: string, method = "GET", token: string | null = TOKEN) => {
        const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
        const res = await service.app.request(path, { method, headers });
        return { status: res.status, body: await res.json() };
      };
      const bots = async () => (await call("/api/bots")).body.bots as BotView[];
      const lastClosed = (tf: string) => floorToTimeframe(rest.nowMs, tf) - timeframeMs(tf);
      /** Resolves once every bot in `ids` is running and has processed the last closed candle. */
      const caughtUp = (ids: string[], what: string) =>
        // The REST back-fill warms the bots up without announcing anything: this wait polls.
        until(
          async () => {
            const all = await bots();
            return ids.every((id) => {
              const b = all.find((x) => x.bot_id === id)!;
              return b.state === "running" && b.last_candle_ts === lastClosed(b.timeframe);
            }) && all;
          },
          SAFETY_MS,
          what,
        );
      /** One minute passes: every series whose candle closed streams its new open candle. */
      const step = (): number => {
        rest.nowMs = nowAt(++minute);
        let sent = 0;
        for (const s of SERIES) {
          const open = floorToTimeframe(rest.nowMs, s.timeframe);
          if (open === floorToTimeframe(rest.nowMs - MIN, s.timeframe)) continue;
          sent += ws.pushCandle("okx", s.symbol, s.timeframe, candle(s, open));
        }
        return sent;
      };
      const candleSubs = () =>
        ws.subscriptions({ kind: "candles" }).map((s) => `${s.symbol} ${s.timeframe}`).sort();
      const ALL = BOTS.map((b) => b.bot_id);
      const OTHERS = ALL.filter((id) => id !== "eth_smc");

      // 1. All five run, warm up from REST history, then follow the stream; BTC 1m is shared.
      assert.deepEqual((await bots()).map((b) => b.state), ALL.map(() => "running"));
      await caughtUp(ALL, "the first back-fill");
      await ws.until(() => candleSubs().length === 4, "four upstream subscriptions");
      assert.deepEqual(candleSubs(), ["BTC/USDT 1m", "ETH/USDT 1m", "SOL/USDT 3m", "XRP/USDT 5m"]);
      for (let k = 0; k < 6; k++) {
        assert.ok(step() > 0);
        await caughtUp(ALL, `minute ${minute}`);
      }

      // 2. Stop eth_smc (alone on its series): the others go on, it stays; start it: it catches up.
      assert.equal((await call("/api/bots/eth_smc/stop", "POST", null)).status, 401);
      const stopped = await call("/api/bots/eth_smc/stop", "POST");
      assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
      assert.equal(stopped.body.state, "stopped");
      const stoppedAt = stopped.body.last_candle_ts as number;
      assert.equal(stoppedAt, lastClosed("1m"));
      await ws.until(() => !candleSubs().includes("ETH/USDT 1m"), "ETH unsubscribed upstream");
      assert.deepEqual(candleSubs(), ["BTC/USDT 1m", "SOL/USDT 3m", "XRP/USDT 5m"]);
      for (let k = 0; k < 5; k++) {
        step();
        const all = await caughtUp(OTHERS, `minute ${minute} without eth_smc`);
        const eth = all.find((b) => b.bot_id === "eth_smc")!;
        assert.deepEqual([eth.state, eth.last_candle_ts], ["stopped", stoppedAt]);
      }
      const started = await call("/api/bots/eth_smc/start", "POST");
      assert.equal(started.status, 200, JSON.stringify(started.body));
      await caughtUp(ALL, "eth_smc catching up after its start");
      await ws.until(() => candleSubs().length === 4, "ETH subscribed again");
      for (let k = 0; k < 4; k++) {
        step();
        await caughtUp(ALL, `minute ${minute} with eth_smc again`);
      }

      // 3. The websocket drops; candles close while nobody listens; back-filled over REST once.
      const requestsBefore = rest.requests.length;
      ws.refuse({ rest: false });
      assert.equal(ws.dropAll(), 1);
      await ws.until(() => feed!.health()[0]?.reachable === false, "unreachable after the drop");
      for (let k = 0; k < 6; k++) assert.equal(step(), 0, "nobody hears it");
      await ws.until(() => ws.refused > 0, "a refused reconnect");
      ws.accept();
      await caughtUp(ALL, "the back-fill after the drop");
      const backfills = rest.requests.slice(requestsBefore).filter((r) =>
        r.path.includes("candles") && r.status === 200
      );
      assert.ok(backfills.length >= 4, `missed candles fetched over REST (${backfills.length})`);
      await ws.until(() => candleSubs().length === 4, "four subscriptions again");
      for (let k = 0; k < 3; k++) {
        assert.ok(step() > 0);
        await caughtUp(ALL, `minute ${minute} after the drop`);
      }
      const [health] = feed!.health();
      assert.deepEqual([health.reachable, health.series], [true, 4]);
      assert.ok(health.reconnects >= 1, `reconnects ${health.reconnects}`);
      assert.ok(errors.some((e) => /websocket/.test(e.context)), "the drop was reported");

      // 4. The records: every candle processed once, no gap but eth_smc's stop, real paper trades.
      const store = new BotStore(db);
      const candles = new CandleStore(db);
      const final = await bots();
      for (const spec of BOTS) {
        const id = spec.bot_id;
        const tfName = spec.timeframe ?? "1m";
        const tf = timeframeMs(tfName);
        const starts = (await store.events(id)).filter((e) => e.kind === "start");
        const historyFrom = Number(starts[0].payload.historyFrom);
        const last = lastClosed(tfName);
        const view = final.find((b) => b.bot_id === id)!;
        assert.deepEqual(
          [view.state, view.last_candle_ts, view.candles_seen],
          ["running", last, (last - historyFrom) / tf + 1],
          `${id}: every candle since its history start seen once`,
        );
        const traded = (from: unknown, to: number) => slots(Number(from) + tf, to, tf);
        const expected = id === "eth_smc"
          ? [
            ...traded(starts[0].payload.tradeAfter, stoppedAt),
            ...traded(starts[1].payload.tradeAfter, last),
          ]
          : traded(starts[0].payload.tradeAfter, last);
        assert.equal(starts.length, id === "eth_smc" ? 2 : 1);
        const equity = (await store.page("equity", id, { limit: 5000 })).map((r) => Number(r.ts));
        assert.deepEqual(equity.reverse(), expected, `${id}: one equity row per traded candle`);
        const decisions = await store.page("decisions", id, { limit: 5000 });
        const keys = decisions.map((d) => `${d.ts}:${d.n}`);
        assert.equal(new Set(keys).size, keys.length, `${id}: no decision twice`);
        // A decision is stamped with its candle's close time.
        const closes = new Set(expected.map((t) => t + tf));
        assert.ok(decisions.every((d) => closes.has(Number(d.ts))), `${id}: decision times`);
        const parity = (await call(`/api/bots/${id}/parity`)).body;
        if (id === "eth_smc") assert.equal(parity.comparable, false);
        else {
          assert.deepEqual(
            [parity.comparable, parity.match],
            [true, true],
            `${id}: decisions equal an uninterrupted backtest: ${JSON.stringify(parity)}`,
          );
        }
      }
      for (const s of SERIES) {
        const rows = toRows(await candles.read(keyOf(s)));
        const tf = timeframeMs(s.timeframe);
        const ts = rows.map((c) => c.ts);
        assert.deepEqual(ts, slots(ts[0], lastClosed(s.timeframe), tf), `${s.symbol}: each once`);
        assert.deepEqual(rows, ts.map((t) => candle(s, t)), `${s.symbol}: the exchange's values`);
      }
      const fills = (await call("/api/bots/fast_sma/fills")).body;
      const orders = (await call("/api/bots/fast_sma/orders")).body;
      assert.ok(fills.count > 0 && orders.count > 0, `fast_sma trades: ${JSON.stringify(fills)}`);
      assert.deepEqual((await call("/api/incidents")).body.incidents, []);
    } finally {
      await service.close();
    }
  } finally {
    await feed?.close();
    await ws.close();
    await rest.close();
    await db.close();
  }
});
