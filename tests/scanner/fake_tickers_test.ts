// The fake exchange's 24 h tickers and inactive markets, as real ccxt reads them for the scanner.

import assert from "node:assert/strict";
import type { Candle } from "../../src/core/candles.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { selectMarkets, tickerQuoteVolume } from "../../src/scanner/universe.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";

const H = 3_600_000;
const NOW = Date.UTC(2024, 0, 10);

/** 30 hourly candles up to NOW: the last 24 (ts > NOW - 24h) make up the ticker. */
function hours(price: number, volume: number): Candle[] {
  return Array.from({ length: 30 }, (_, i) => {
    const ts = NOW - (29 - i) * H;
    const open = price + i;
    return { ts, open, high: open + 2, low: open - 1, close: open + 1, volume };
  });
}

/** Quote volume of the last 24 candles at the typical price, as the fake computes it. */
function quote24(c: Candle[]): number {
  return c.slice(-24).reduce((s, x) => s + x.volume * (x.high + x.low + x.close) / 3, 0);
}

Deno.test("OKX tickers: spot quote volume as sent, swap volume from contracts x size x last", async () => {
  const fake = await startFakeExchange({
    nowMs: NOW,
    markets: {
      okx: ["BTC/USDT", "BTC/USDT:USDT", { symbol: "OLD/USDT", active: false }],
    },
  });
  try {
    const spot = hours(100, 2);
    const swap = hours(100, 3);
    fake.setCandles("okx", "BTC/USDT", "1h", spot);
    fake.setCandles("okx", "BTC/USDT:USDT", "1h", swap);
    const ex = createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 });
    await ex.loadMarkets();
    assert.equal(ex.markets!["OLD/USDT"].active, false);
    assert.deepEqual(selectMarkets(ex, { quote: "USDT", types: ["spot"] }), ["BTC/USDT"]);
    assert.deepEqual(selectMarkets(ex, { types: ["swap"] }), ["BTC/USDT:USDT"]);

    const spotT = await ex.fetchTickers(undefined, { type: "spot" });
    assert.ok(spotT["BTC/USDT"]);
    assert.equal(spotT["BTC/USDT"].last, 130);
    assert.equal(spotT["BTC/USDT"].baseVolume, 48);
    assert.ok(Math.abs(tickerQuoteVolume(spotT["BTC/USDT"]) - quote24(spot)) < 1e-6);
    assert.ok(
      fake.requests.some((r) => r.path === "/api/v5/market/tickers" && r.query.instType === "SPOT"),
    );

    const swapT = await ex.fetchTickers(undefined, { type: "swap" });
    const t = swapT["BTC/USDT:USDT"];
    assert.equal(t.quoteVolume, undefined); // ccxt leaves OKX swap quote volume out
    assert.equal(t.baseVolume, 72 / 0.01); // contracts of 0.01 BTC
    const v = tickerQuoteVolume(t, ex.markets!["BTC/USDT:USDT"]);
    assert.ok(Math.abs(v - 72 * 130) < 1e-6, String(v));
  } finally {
    await fake.close();
  }
});

Deno.test("Binance USDT-M tickers: every market, or one by symbol", async () => {
  const fake = await startFakeExchange({
    nowMs: NOW,
    markets: { binanceusdm: ["BTC/USDT:USDT", { symbol: "ETH/USDT:USDT", active: false }] },
  });
  try {
    const btc = hours(40000, 5);
    fake.setCandles("binanceusdm", "BTC/USDT:USDT", "1h", btc);
    const ex = createExchange("binanceusdm", { restOrigin: fake.url, rateLimitMs: 1 });
    await ex.loadMarkets();
    assert.equal(ex.markets!["ETH/USDT:USDT"].active, false);
    const all = await ex.fetchTickers(undefined, { type: "swap" });
    assert.deepEqual(Object.keys(all).sort(), ["BTC/USDT:USDT", "ETH/USDT:USDT"]);
    assert.equal(all["BTC/USDT:USDT"].last, 40030);
    assert.ok(Math.abs(tickerQuoteVolume(all["BTC/USDT:USDT"]) - quote24(btc)) < 1e-4);
    assert.equal(all["ETH/USDT:USDT"].quoteVolume, 0);
    const one = await ex.fetchTicker("BTC/USDT:USDT");
    assert.equal(one.open, 40006);
    assert.equal(one.high, 40031);
  } finally {
    await fake.close();
  }
});
