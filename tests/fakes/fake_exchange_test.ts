// Tests for the fake exchange, driven through real ccxt: markets, candles, paging, errors, faults.

import assert from "node:assert/strict";
import ccxt from "ccxt";
import type { Exchange, OHLCV } from "ccxt";
import type { Candle } from "../../src/core/candles.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { type FakeExchange, startFakeExchange } from "./fake_exchange.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** `n` deterministic candles of length `step` from `start`, with tick-friendly prices. */
function candles(n: number, start = T0, step = MIN): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < n; i++) {
    const open = 42000 + (i % 50) * 1.5;
    out.push({
      ts: start + i * step,
      open,
      high: open + 10.2,
      low: open - 7.1,
      close: open + 0.5,
      volume: 1 + (i % 7) * 0.125,
    });
  }
  return out;
}

function asOhlcv(c: readonly Candle[]): OHLCV[] {
  return c.map((x) => [x.ts, x.open, x.high, x.low, x.close, x.volume]);
}

/** Runs `fn` with a fresh fake and closes it whatever happens. */
async function withFake(
  fn: (fake: FakeExchange) => Promise<void>,
  markets = { okx: ["BTC/USDT", "ETH/USDT"], binanceusdm: ["BTC/USDT:USDT"] },
): Promise<void> {
  const fake = await startFakeExchange({ markets });
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

function client(name: string, fake: FakeExchange, timeoutMs?: number): Exchange {
  return createExchange(name, { restOrigin: fake.url, rateLimitMs: 1, timeoutMs });
}

/** Awaits `p` and returns the error it rejects with. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

Deno.test("okx loadMarkets reads the instrument lists with real precision and limits", async () => {
  await withFake(async (fake) => {
    const okx = client("okx", fake);
    const markets = await okx.loadMarkets();
    assert.deepEqual(Object.keys(markets).sort(), ["BTC/USDT", "ETH/USDT"]);
    const btc = markets["BTC/USDT"]!;
    assert.equal(btc.id, "BTC-USDT");
    assert.equal(btc.type, "spot");
    assert.equal(btc.precision.price, 0.1);
    assert.equal(btc.precision.amount, 0.00000001);
    assert.equal(btc.limits.amount?.min, 0.00001);
    assert.equal(btc.info.tickSz, "0.1");
    assert.equal(markets["ETH/USDT"]!.precision.price, 0.01);
    const asked = fake.requests.map((r) => `${r.path}?${new URLSearchParams(r.query)}`).sort();
    assert.deepEqual(asked, [
      "/api/v5/public/instruments?instType=FUTURES",
      "/api/v5/public/instruments?instType=OPTION&uly=BTC-USD",
      "/api/v5/public/instruments?instType=OPTION&uly=ETH-USD",
      "/api/v5/public/instruments?instType=SPOT",
      "/api/v5/public/instruments?instType=SWAP",
    ]);
    assert.ok(fake.requests.every((r) => r.status === 200 && r.venue === "okx"));
  });
});

Deno.test("okx lists linear swaps with contract size", async () => {
  await withFake(async (fake) => {
    const okx = client("okx", fake);
    const markets = await okx.loadMarkets();
    const swap = markets["BTC/USDT:USDT"]!;
    assert.equal(swap.id, "BTC-USDT-SWAP");
    assert.equal(swap.swap, true);
    assert.equal(swap.linear, true);
    assert.equal(swap.contractSize, 0.01);
    assert.equal(swap.precision.amount, 0.01);
  }, { okx: ["BTC/USDT:USDT"], binanceusdm: [] });
});

Deno.test("binanceusdm loadMarkets reads fapi exchangeInfo with its filters", async () => {
  await withFake(async (fake) => {
    const bn = client("binanceusdm", fake);
    const markets = await bn.loadMarkets();
    assert.deepEqual(Object.keys(markets), ["BTC/USDT:USDT"]);
    const m = markets["BTC/USDT:USDT"]!;
    assert.equal(m.id, "BTCUSDT");
    assert.equal(m.swap, true);
    assert.equal(m.linear, true);
    assert.equal(m.precision.price, 0.1);
    assert.equal(m.precision.amount, 0.001);
    assert.equal(m.limits.amount?.min, 0.001);
    assert.equal(m.limits.cost?.min, 100);
    assert.deepEqual(fake.requests.map((r) => [r.path, r.status]), [[
      "/fapi/v1/exchangeInfo",
      200,
    ]]);
  });
});

Deno.test("okx fetchOHLCV with an old since pages the history endpoint oldest to newest", async () => {
  await withFake(async (fake) => {
    const seeded = candles(250);
    fake.setCandles("okx", "BTC/USDT", "1m", seeded);
    const okx = client("okx", fake);
    await okx.loadMarkets();
    fake.requests.length = 0;

    const got: OHLCV[] = [];
    let since = T0;
    for (;;) {
      const page = await okx.fetchOHLCV("BTC/USDT", "1m", since, 100);
      if (page.length === 0) break;
      got.push(...page);
      since = Number(page[page.length - 1][0]) + MIN;
    }
    assert.deepEqual(got, asOhlcv(seeded));
    assert.deepEqual(fake.requests.map((r) => r.path), [
      "/api/v5/market/history-candles",
      "/api/v5/market/history-candles",
      "/api/v5/market/history-candles",
      "/api/v5/market/history-candles",
    ]);
    assert.deepEqual(fake.requests[0].query, {
      instId: "BTC-USDT",
      bar: "1m",
      limit: "100",
      before: String(T0 - 1),
      after: String(T0 + 100 * MIN),
    });
    assert.deepEqual(fake.requests.map((r) => r.status), [200, 200, 200, 200]);
  });
});

Deno.test("okx serves rows newest first as strings and honours after, before and limit", async () => {
  await withFake(async (fake) => {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(10));
    const okx = client("okx", fake);
    const raw = await okx.publicGetMarketHistoryCandles({
      instId: "BTC-USDT",
      bar: "1m",
      after: String(T0 + 8 * MIN),
      before: String(T0 + 2 * MIN),
      limit: "3",
    }) as { code: string; msg: string; data: string[][] };
    assert.equal(raw.code, "0");
    assert.deepEqual(raw.data.map((r) => Number(r[0])), [7, 6, 5].map((i) => T0 + i * MIN));
    assert.deepEqual(raw.data[0], [
      String(T0 + 7 * MIN),
      "42010.5",
      "42020.7",
      "42003.4",
      "42011",
      "1",
      raw.data[0][6],
      raw.data[0][7],
      "1",
    ]);
    assert.ok(raw.data.every((r) => r.length === 9 && r.every((v) => typeof v === "string")));
  });
});

Deno.test("okx recent since uses /market/candles and marks the open candle unconfirmed", async () => {
  await withFake(async (fake) => {
    const now = Date.now();
    const start = Math.floor(now / MIN) * MIN - 9 * MIN;
    const seeded = candles(12, start); // two lie in the future
    fake.setCandles("okx", "BTC/USDT", "1m", seeded);
    fake.nowMs = now;
    const okx = client("okx", fake);
    const got = await okx.fetchOHLCV("BTC/USDT", "1m", start, 100);
    assert.equal(fake.requests.at(-1)?.path, "/api/v5/market/candles");
    assert.deepEqual(got, asOhlcv(seeded.slice(0, 10)));
    const raw = await okx.publicGetMarketCandles({ instId: "BTC-USDT", bar: "1m" }) as {
      data: string[][];
    };
    assert.deepEqual(raw.data.map((r) => r[8]), ["0", ...Array(9).fill("1")]);
  });
});

Deno.test("okx /market/candles only reaches back 1440 bars; history-candles reaches all", async () => {
  await withFake(async (fake) => {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(2000));
    fake.nowMs = T0 + 2000 * MIN;
    const okx = client("okx", fake);
    const old = { instId: "BTC-USDT", bar: "1m", after: String(T0 + 100 * MIN) };
    const recent = await okx.publicGetMarketCandles(old) as { data: string[][] };
    assert.deepEqual(recent.data, []);
    const hist = await okx.publicGetMarketHistoryCandles(old) as { data: string[][] };
    assert.equal(hist.data.length, 100);
  });
});

Deno.test("okx 6h and up: ccxt asks for the utc bars; Hong Kong bars skip UTC-grid data", async () => {
  await withFake(async (fake) => {
    const days = candles(5, T0, 86_400_000);
    fake.setCandles("okx", "BTC/USDT", "1d", days);
    const okx = client("okx", fake);
    const got = await okx.fetchOHLCV("BTC/USDT", "1d", T0, 5);
    assert.deepEqual(got, asOhlcv(days));
    assert.equal(fake.requests.at(-1)?.query.bar, "1Dutc");
    const hk = await okx.publicGetMarketHistoryCandles({ instId: "BTC-USDT", bar: "1D" }) as {
      data: unknown[];
    };
    assert.deepEqual(hk.data, []);
    const bad = await failure(okx.publicGetMarketCandles({ instId: "BTC-USDT", bar: "1h" }));
    assert.ok(bad instanceof ccxt.BadRequest, String(bad));
  });
});

Deno.test("binanceusdm fetchOHLCV: ccxt caps the limit at 1000 and gets them oldest first", async () => {
  await withFake(async (fake) => {
    const seeded = candles(2500);
    fake.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", seeded);
    const bn = client("binanceusdm", fake);
    const got = await bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0 + 5 * MIN, 1500);
    assert.deepEqual(got, asOhlcv(seeded.slice(5, 1005)));
    const req = fake.requests.at(-1)!;
    assert.equal(req.path, "/fapi/v1/klines");
    assert.deepEqual(req.query, {
      interval: "1m",
      limit: "1000",
      symbol: "BTCUSDT",
      startTime: String(T0 + 5 * MIN),
    });
    const raw = await bn.fapiPublicGetKlines({
      symbol: "BTCUSDT",
      interval: "1m",
      startTime: T0,
      endTime: T0 + 2 * MIN,
    }) as unknown[][];
    assert.equal(raw.length, 3);
    assert.deepEqual(raw[0].slice(0, 7), [
      T0,
      "42000.00",
      "42010.20",
      "41992.90",
      "42000.50",
      "1.000",
      T0 + MIN - 1,
    ]);
    assert.equal(raw[0].length, 12);
    const newest = await bn.fapiPublicGetKlines({ symbol: "BTCUSDT", interval: "1m" }) as [
      number,
    ][];
    assert.equal(newest.length, 500);
    assert.equal(newest.at(-1)![0], seeded.at(-1)!.ts);
  });
});

Deno.test("binanceusdm and okx time endpoints follow nowMs", async () => {
  await withFake(async (fake) => {
    fake.nowMs = 1_700_000_000_000;
    assert.equal(await client("okx", fake).fetchTime(), 1_700_000_000_000);
    assert.equal(await client("binanceusdm", fake).fetchTime({ type: "swap" }), 1_700_000_000_000);
    fake.nowMs = undefined;
    assert.ok(Math.abs(fake.nowMs - Date.now()) < 1000);
  });
});

Deno.test("unknown symbols: ccxt refuses locally, delisted ones get the venue's error", async () => {
  await withFake(async (fake) => {
    const okx = client("okx", fake);
    const bn = client("binanceusdm", fake);
    await okx.loadMarkets();
    await bn.loadMarkets();
    assert.ok(await failure(okx.fetchOHLCV("DOGE/USDT", "1m")) instanceof ccxt.BadSymbol);

    fake.delist("okx", "ETH/USDT");
    fake.delist("binanceusdm", "BTC/USDT:USDT");
    fake.requests.length = 0;
    const e1 = await failure(okx.fetchOHLCV("ETH/USDT", "1m", T0, 100));
    assert.ok(e1 instanceof ccxt.BadSymbol, String(e1));
    assert.match(e1.message, /51001/);
    const e2 = await failure(bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0, 100));
    assert.ok(e2 instanceof ccxt.BadSymbol, String(e2));
    assert.match(e2.message, /-1121/);
    assert.deepEqual(fake.requests.map((r) => [r.path, r.status]), [
      ["/api/v5/market/history-candles", 200],
      ["/fapi/v1/klines", 400],
    ]);
    const reloaded = await okx.loadMarkets(true);
    assert.equal(reloaded["ETH/USDT"], undefined);
  });
});

Deno.test("a 429 makes ccxt throw its rate-limit errors, then the venue answers again", async () => {
  await withFake(async (fake) => {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(10));
    fake.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", candles(10));
    const okx = client("okx", fake);
    const bn = client("binanceusdm", fake);
    await okx.loadMarkets();
    await bn.loadMarkets();
    fake.requests.length = 0;
    fake.failNext({ status: 429, count: 2 });
    const e1 = await failure(okx.fetchOHLCV("BTC/USDT", "1m", T0, 10));
    assert.ok(e1 instanceof ccxt.RateLimitExceeded, String(e1));
    const e2 = await failure(bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0, 10));
    assert.ok(e2 instanceof ccxt.DDoSProtection, String(e2));
    assert.equal((await okx.fetchOHLCV("BTC/USDT", "1m", T0, 10)).length, 10);
    assert.deepEqual(fake.requests.map((r) => r.status), [429, 429, 200]);
  });
});

Deno.test("a failure rule for one venue leaves the other alone", async () => {
  await withFake(async (fake) => {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(10));
    fake.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", candles(10));
    const okx = client("okx", fake);
    const bn = client("binanceusdm", fake);
    fake.failNext({ status: 503, venue: "binanceusdm" });
    assert.equal((await okx.fetchOHLCV("BTC/USDT", "1m", T0, 10)).length, 10);
    const e = await failure(bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0, 10));
    assert.ok(e instanceof ccxt.ExchangeNotAvailable, String(e));
  });
});

Deno.test("a dropped connection makes ccxt throw a NetworkError", async () => {
  await withFake(async (fake) => {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(10));
    fake.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", candles(10));
    const okx = client("okx", fake);
    const bn = client("binanceusdm", fake);
    await okx.loadMarkets();
    await bn.loadMarkets();
    fake.requests.length = 0;
    fake.failNext({ drop: true, count: 2 });
    const e1 = await failure(okx.fetchOHLCV("BTC/USDT", "1m", T0, 10));
    assert.ok(e1 instanceof ccxt.NetworkError, String(e1));
    const e2 = await failure(bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0, 10));
    assert.ok(e2 instanceof ccxt.NetworkError, String(e2));
    assert.equal((await bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0, 10)).length, 10);
    assert.deepEqual(fake.requests.map((r) => [r.path, r.status]), [
      ["/api/v5/market/history-candles", 0],
      ["/fapi/v1/klines", 0],
      ["/fapi/v1/klines", 200],
    ]);
  });
});

Deno.test("with keep-alive, Deno's fetch retries a GET whose reused connection drops", async () => {
  const fake = await startFakeExchange({ keepAlive: true });
  try {
    fake.setCandles("okx", "BTC/USDT", "1m", candles(10));
    const okx = client("okx", fake);
    await okx.loadMarkets(); // leaves pooled connections to reuse
    fake.requests.length = 0;
    fake.failNext({ drop: true, count: 1 });
    assert.equal((await okx.fetchOHLCV("BTC/USDT", "1m", T0, 10)).length, 10);
    assert.deepEqual(fake.requests.map((r) => r.status), [0, 200]);
  } finally {
    await fake.close();
  }
});

Deno.test("a stalled request makes ccxt time out", async () => {
  await withFake(async (fake) => {
    const okx = client("okx", fake, 300);
    await okx.loadMarkets();
    fake.failNext({ stall: true });
    const e = await failure(okx.fetchOHLCV("BTC/USDT", "1m", T0, 10));
    assert.ok(e instanceof ccxt.RequestTimeout, String(e));
  });
});

Deno.test("setCandles refuses markets the fake does not list", async () => {
  await withFake((fake) => {
    assert.throws(() => fake.setCandles("okx", "XRP/USDT", "1m", []), /does not list/);
    assert.throws(() => fake.failNext({ drop: true, status: 429 }), /exactly one/);
    return Promise.resolve();
  });
});
