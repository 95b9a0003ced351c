// Downloads through real ccxt against the loopback fake exchange: paging, resume, 429, gaps, errors.

import assert from "node:assert/strict";
import type { Candle } from "../../src/core/candles.ts";
import { toRows } from "../../src/core/candles.ts";
import { ConfigError, ExchangeError, ExchangeTemporaryError } from "../../src/core/errors.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { downloadCandles, type DownloadOptions } from "../../src/exchange/download.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { type FakeExchange, startFakeExchange } from "../fakes/fake_exchange.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const NOW = T0 + 30 * 86_400_000;

function candles(n: number, start = T0, skip?: [number, number]): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < n; i++) {
    if (skip && i >= skip[0] && i < skip[1]) continue;
    const open = 42000 + (i % 50) * 1.5;
    out.push({
      ts: start + i * MIN,
      open,
      high: open + 10,
      low: open - 7,
      close: open + 0.5,
      volume: 1 + (i % 7),
    });
  }
  return out;
}

interface Ctx {
  fake: FakeExchange;
  store: CandleStore;
  download(
    o: Partial<DownloadOptions> & { exchange: string; symbol: string },
  ): ReturnType<typeof downloadCandles>;
}

async function withSetup(fn: (ctx: Ctx) => Promise<void>): Promise<void> {
  const fake = await startFakeExchange({
    markets: { okx: ["BTC/USDT", "ETH/USDT"], binanceusdm: ["BTC/USDT:USDT"] },
    nowMs: NOW,
  });
  const db = await Db.open(":memory:");
  const store = new CandleStore(db);
  try {
    await fn({
      fake,
      store,
      download: (o) =>
        downloadCandles(
          createExchange(o.exchange, { restOrigin: fake.url, rateLimitMs: 1 }),
          store,
          {
            timeframe: "1m",
            since: T0,
            now: NOW,
            retry: { baseMs: 1, attempts: 3 },
            ...o,
          },
        ),
    });
  } finally {
    await db.close();
    await fake.close();
  }
}

const candleRequests = (fake: FakeExchange) =>
  fake.requests.filter((r) => r.path.includes("candles") || r.path.includes("klines"));

Deno.test("OKX: a multi-page download stores every candle once, in order, with progress", () =>
  withSetup(async ({ fake, store, download }) => {
    const src = candles(1050);
    fake.setCandles("okx", "BTC/USDT", "1m", src);
    const seen: number[] = [];
    const res = await download({
      exchange: "okx",
      symbol: "BTC-USDT", // the exchange's own spelling
      until: T0 + 1050 * MIN,
      onProgress: (p) => seen.push(p.covered / p.total),
    });
    assert.equal(res.symbol, "BTC/USDT");
    assert.equal(res.fetched, 1050);
    assert.deepEqual(res.gaps, []);
    assert.equal(candleRequests(fake).length, 11); // 100 a page
    const stored = await store.read({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" });
    assert.deepEqual(toRows(stored), src);
    assert.equal(seen.at(-1), 1);
    assert.ok(seen.every((v, i) => i === 0 || v >= seen[i - 1]));
  }));

Deno.test("only closed candles are stored: the one still open at 'now' is left for later", () =>
  withSetup(async ({ fake, store, download }) => {
    const now = T0 + 200 * MIN + 30_000; // candle 200 is open
    fake.nowMs = now;
    fake.setCandles("okx", "BTC/USDT", "1m", candles(201));
    const res = await download({ exchange: "okx", symbol: "BTC/USDT", now });
    assert.equal(res.fetched, 200);
    assert.equal(res.last, T0 + 199 * MIN);
    assert.equal(
      (await store.bounds({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" }))!.count,
      200,
    );
  }));

Deno.test("Binance USDT-M: pages of 1000 from startTime", () =>
  withSetup(async ({ fake, store, download }) => {
    const src = candles(2500);
    fake.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", src);
    const res = await download({ exchange: "binance", symbol: "BTC/USDT", until: T0 + 2500 * MIN });
    assert.equal(res.symbol, "BTC/USDT:USDT");
    assert.equal(res.fetched, 2500);
    assert.deepEqual(
      candleRequests(fake).map((r) => r.query.startTime),
      [0, 1000, 2000].map((i) => String(T0 + i * MIN)),
    );
    const stored = await store.read({
      exchange: "binanceusdm",
      symbol: "BTC/USDT:USDT",
      timeframe: "1m",
    });
    assert.deepEqual(toRows(stored), src);
  }));

Deno.test("an interrupted download keeps what it fetched and resumes after the newest candle", () =>
  withSetup(async ({ fake, store, download }) => {
    const src = candles(1000);
    fake.setCandles("okx", "BTC/USDT", "1m", src);
    const until = T0 + 1000 * MIN;
    let pages = 0;
    const err = await download({
      exchange: "okx",
      symbol: "BTC/USDT",
      until,
      flushEvery: 100,
      onProgress: () => {
        if (++pages === 4) fake.failNext({ drop: true, count: 3 }); // more drops than retries
      },
    }).then(() => undefined, (e) => e);
    assert.ok(err instanceof ExchangeTemporaryError, String(err));
    assert.match(err.message, /OKX could not be reached after 3 attempts/);
    const key = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };
    assert.equal((await store.bounds(key))!.last, T0 + 399 * MIN);

    fake.requests.length = 0;
    const res = await download({ exchange: "okx", symbol: "BTC/USDT", until });
    assert.equal(res.fetched, 600);
    assert.equal(res.startedAt, T0 + 400 * MIN);
    assert.equal(candleRequests(fake)[0].query.before, String(T0 + 400 * MIN - 1));
    assert.deepEqual(toRows(await store.read(key)), src);
  }));

Deno.test("HTTP 429 is retried with backoff, then the download completes", () =>
  withSetup(async ({ fake, download }) => {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(300));
    fake.failNext({ status: 429, count: 2 });
    const retries: string[] = [];
    const res = await download({
      exchange: "okx",
      symbol: "BTC/USDT",
      until: T0 + 300 * MIN,
      retry: {
        baseMs: 1,
        attempts: 5,
        onRetry: ({ error, delayMs }) => retries.push(`${error.constructor.name}:${delayMs}`),
      },
    });
    assert.deepEqual(retries, ["RateLimitExceeded:1", "RateLimitExceeded:2"]);
    assert.equal(res.fetched, 300);
    assert.deepEqual(candleRequests(fake).map((r) => r.status), [429, 429, 200, 200, 200]);
  }));

Deno.test("a hole in the exchange's data is reported, never filled in", () =>
  withSetup(async ({ fake, store, download }) => {
    // Candles 150..399 do not exist on the exchange: more than two whole pages.
    fake.setCandles("okx", "BTC/USDT", "1m", candles(600, T0, [150, 400]));
    const res = await download({ exchange: "okx", symbol: "BTC/USDT", until: T0 + 600 * MIN });
    assert.deepEqual(res.gaps, [{ from: T0 + 150 * MIN, to: T0 + 400 * MIN, missing: 250 }]);
    assert.equal(res.fetched, 350);
    const stored = await store.read({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" });
    assert.equal(stored.ts.length, 350);
    assert.equal(stored.ts[150], T0 + 400 * MIN);
  }));

Deno.test("unknown symbols and timeframes are clear errors; nothing is stored", () =>
  withSetup(async ({ store, download }) => {
    const sym = await download({ exchange: "okx", symbol: "BTC/USDX" }).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(sym instanceof ExchangeError);
    assert.match(
      sym.message,
      /Symbol "BTC\/USDX" does not exist on OKX\. Did you mean "BTC\/USDT"/,
    );
    const tf = await download({ exchange: "okx", symbol: "BTC/USDT", timeframe: "7m" }).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(tf instanceof ConfigError);
    assert.match(tf.message, /Timeframe "7m" is not offered by OKX: use one of 1m, 3m, 5m/);
    assert.deepEqual(await store.list(), []);
  }));
