// scan() end to end through real ccxt against the loopback fake exchange, and cached-only reruns.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { resample } from "../../src/data/resample.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { scan, type ScanProgress } from "../../src/scanner/scan.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { type FakeExchange, type FakeVenue, startFakeExchange } from "../fakes/fake_exchange.ts";

const DAY = 86_400_000;
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const NOW = T0 + 20 * DAY;

/** Seeds 5m candles for 20 days (and 1h, 4h resampled from them) for one market of the fake. */
function seed(
  fake: FakeExchange,
  venue: FakeVenue,
  symbol: string,
  o: { annualVol: number; dailyVolume: number; price?: number; withFive?: boolean },
): void {
  const five = synthCandles({
    bars: 20 * 288,
    timeframe: "5m",
    seed: symbol,
    start: T0,
    annualVol: o.annualVol,
    dailyVolume: o.dailyVolume,
    startPrice: o.price ?? 100,
  });
  if (o.withFive) fake.setCandles(venue, symbol, "5m", toRows(five));
  for (const tf of ["1h", "4h"]) {
    fake.setCandles(venue, symbol, tf, toRows(resample(five, "5m", tf).candles));
  }
}

const candleRequests = (fake: FakeExchange) =>
  fake.requests.filter((r) => /candles|klines/.test(r.path));

async function withSetup(
  markets: Parameters<typeof startFakeExchange>[0],
  fn: (fake: FakeExchange, store: CandleStore) => Promise<void>,
): Promise<void> {
  const fake = await startFakeExchange({ nowMs: NOW, ...markets });
  const db = await Db.open(":memory:");
  try {
    await fn(fake, new CandleStore(db));
  } finally {
    await db.close();
    await fake.close();
  }
}

const OKX_MARKETS = {
  markets: {
    okx: [
      "BTC/USDT",
      "ETH/USDT",
      "SOL/USDT",
      "DOGE/USDT",
      "USDC/USDT",
      "BTC/USDT:USDT",
      "ETH/BTC",
      { symbol: "SUS/USDT", active: false },
    ],
  },
};

Deno.test("scan: markets from the exchange, candles downloaded and cached, a bad symbol skipped", () =>
  withSetup(OKX_MARKETS, async (fake, store) => {
    seed(fake, "okx", "BTC/USDT", { annualVol: 0.5, dailyVolume: 5000, price: 40000 });
    seed(fake, "okx", "ETH/USDT", { annualVol: 0.8, dailyVolume: 20000, price: 2000 });
    seed(fake, "okx", "SOL/USDT", { annualVol: 1.4, dailyVolume: 30000, price: 100 });
    seed(fake, "okx", "DOGE/USDT", { annualVol: 1.0, dailyVolume: 1e6, price: 0.1 });
    seed(fake, "okx", "USDC/USDT", { annualVol: 0.01, dailyVolume: 1e6, price: 1 });
    const ex = createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 });
    await ex.loadMarkets();
    fake.delist("okx", "DOGE/USDT"); // listed in ccxt's cache, unknown to the venue now
    const progress: ScanProgress[] = [];
    const options = {
      timeframes: ["1h", "4h"],
      window: 100,
      exclude: ["USDC"],
      store,
      retry: { baseMs: 1, attempts: 2 },
    };
    const res = await scan({ ...options, exchange: ex, onProgress: (p) => progress.push(p) });

    assert.equal(res.asOf, NOW); // the exchange's clock
    assert.deepEqual(res.symbols, ["BTC/USDT", "DOGE/USDT", "ETH/USDT", "SOL/USDT"]);
    assert.deepEqual(
      res.rows.map((r) => `${r.timeframe} ${r.symbol} ${r.candles}`).sort(),
      [
        "1h BTC/USDT 100",
        "1h ETH/USDT 100",
        "1h SOL/USDT 100",
        "4h BTC/USDT 100",
        "4h ETH/USDT 100",
        "4h SOL/USDT 100",
      ],
    );
    assert.deepEqual(res.skipped.map((s) => `${s.symbol} ${s.timeframe} ${s.stage}`), [
      "DOGE/USDT 1h candles",
      "DOGE/USDT 4h candles",
    ]);
    assert.match(res.skipped[0].reason, /OKX does not know this symbol/);
    // Generated at 50 %, 80 % and 140 % volatility, and deepest in quote terms for BTC.
    for (const tf of ["1h", "4h"]) {
      const rows = res.rows.filter((r) => r.timeframe === tf);
      assert.equal(rows.find((r) => r.pVolatility === 1)?.symbol, "SOL/USDT");
      assert.equal(rows.find((r) => r.pVolatility === 0)?.symbol, "BTC/USDT");
      assert.equal(rows.find((r) => r.pLiquidity === 1)?.symbol, "BTC/USDT");
    }
    const btc = res.rows.find((r) => r.symbol === "BTC/USDT" && r.timeframe === "1h")!;
    assert.equal(btc.last, NOW - H);
    assert.ok(btc.yangZhang > 0.1 && btc.yangZhang < 3, String(btc.yangZhang));
    assert.ok(Number.isNaN(btc.realized)); // no 5m candles stored, none fetched
    assert.deepEqual(progress.at(-1), {
      done: 8,
      total: 8,
      symbol: "SOL/USDT",
      timeframe: "4h",
      fetched: 600,
    });
    const stored = await store.bounds({ exchange: "okx", symbol: "ETH/USDT", timeframe: "4h" });
    assert.deepEqual(stored, { first: NOW - 100 * 4 * H, last: NOW - 4 * H, count: 100 });

    // Cached-only rerun: no request at all, the same windows, the same rows.
    fake.requests.length = 0;
    const offline = await scan({ ...options, exchange: "okx", fetchMissing: false });
    assert.equal(fake.requests.length, 0);
    assert.equal(offline.asOf, undefined);
    assert.deepEqual(offline.rows, res.rows);
    assert.deepEqual(offline.skipped, []);

    // Online again at the same time: everything is cached, so no candle requests.
    const again = await scan({
      ...options,
      exchange: createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 }),
      symbols: ["BTC-USDT", "ETH/USDT", "NOPE/USDT"],
      now: NOW + 59_000,
    });
    assert.equal(candleRequests(fake).length, 0);
    assert.deepEqual(again.skipped.map((x) => `${x.symbol} ${x.stage}`), ["NOPE/USDT market"]);
    assert.match(again.skipped[0].reason, /Symbol "NOPE\/USDT" does not exist on OKX/);
    assert.deepEqual(again.rows.map((r) => r.symbol).sort(), [
      "BTC/USDT",
      "BTC/USDT",
      "ETH/USDT",
      "ETH/USDT",
    ]);
  }));

Deno.test("scan: realised volatility from 5m candles when asked to fetch them", () =>
  withSetup({ markets: { okx: ["BTC/USDT", "ETH/USDT"] } }, async (fake, store) => {
    seed(fake, "okx", "BTC/USDT", { annualVol: 0.6, dailyVolume: 5000, withFive: true });
    seed(fake, "okx", "ETH/USDT", { annualVol: 0.9, dailyVolume: 5000 });
    const res = await scan({
      exchange: createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 }),
      store,
      timeframes: ["1h"],
      window: 48,
      fetchLower: true,
      now: NOW,
    });
    const btc = res.rows.find((r) => r.symbol === "BTC/USDT")!;
    assert.equal(btc.rvTimeframe, "5m");
    assert.equal(btc.rvReturns, 48 * 12 - 1);
    assert.ok(Math.abs(btc.realized / btc.closeToClose - 1) < 0.35, `${btc.realized}`);
    const eth = res.rows.find((r) => r.symbol === "ETH/USDT")!;
    assert.ok(Number.isNaN(eth.realized)); // the venue has no 5m candles for it
    // Cached-only, the stored 5m candles are used again.
    const offline = await scan({
      exchange: "okx",
      store,
      timeframes: ["1h"],
      window: 48,
      fetchMissing: false,
    });
    assert.equal(offline.rows.find((r) => r.symbol === "BTC/USDT")!.realized, btc.realized);
  }));

Deno.test("scan: Binance swaps with a minimum quote volume pre-filtered by 24 h tickers", () =>
  withSetup(
    { markets: { binanceusdm: ["BTC/USDT:USDT", "ETH/USDT:USDT", "LOW/USDT:USDT"] } },
    async (fake, store) => {
      seed(fake, "binanceusdm", "BTC/USDT:USDT", {
        annualVol: 0.5,
        dailyVolume: 1000,
        price: 40000,
      });
      seed(fake, "binanceusdm", "ETH/USDT:USDT", {
        annualVol: 0.8,
        dailyVolume: 10000,
        price: 2000,
      });
      seed(fake, "binanceusdm", "LOW/USDT:USDT", { annualVol: 2, dailyVolume: 10, price: 1 });
      const res = await scan({
        exchange: createExchange("binanceusdm", { restOrigin: fake.url, rateLimitMs: 1 }),
        store,
        timeframes: ["1h"],
        window: 50,
        minQuoteVolume: 1e6,
        now: NOW,
      });
      assert.deepEqual(res.rows.map((r) => r.symbol).sort(), ["BTC/USDT:USDT", "ETH/USDT:USDT"]);
      assert.equal(res.skipped.length, 1);
      assert.equal(res.skipped[0].symbol, "LOW/USDT:USDT");
      assert.match(res.skipped[0].reason, /24 h quote volume \d+(\.\d+)? \(ticker\) is below/);
      assert.ok(candleRequests(fake).every((r) => r.query.symbol !== "LOWUSDT"));
      assert.ok(fake.requests.some((r) => r.path === "/fapi/v1/ticker/24hr"));
    },
  ));

Deno.test("scan: an unreachable exchange stops fetching after 3 failures, every series recorded", () =>
  withSetup({ markets: { okx: ["A/USDT", "B/USDT", "C/USDT", "D/USDT"] } }, async (fake, store) => {
    fake.failNext({ status: 503, count: 1000 });
    const res = await scan({
      exchange: createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 }),
      store,
      timeframes: ["1h"],
      now: NOW,
      retry: { attempts: 1 },
    });
    assert.deepEqual(res.rows, []);
    assert.equal(res.skipped.length, 4);
    assert.match(res.skipped[0].reason, /could not be reached/);
    assert.match(res.skipped[3].reason, /fetching stopped after 3 failures in a row/);
    assert.equal(candleRequests(fake).length, 3);
  }));

Deno.test("scan: an abort stops the scan and rejects", () =>
  withSetup({ markets: { okx: ["A/USDT", "B/USDT"] } }, async (fake, store) => {
    seed(fake, "okx", "A/USDT", { annualVol: 0.5, dailyVolume: 100 });
    seed(fake, "okx", "B/USDT", { annualVol: 0.5, dailyVolume: 100 });
    const controller = new AbortController();
    await assert.rejects(
      scan({
        exchange: createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 }),
        store,
        timeframes: ["1h"],
        now: NOW,
        signal: controller.signal,
        onProgress: () => controller.abort(new Error("stop")),
      }),
      /stop/,
    );
    assert.equal(
      await store.bounds({ exchange: "okx", symbol: "B/USDT", timeframe: "1h" }),
      undefined,
    );
  }));
