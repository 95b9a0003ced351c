// Tests for the websocket fake, driven through real ccxt pro: frames sent, pushes, drops, refusals.

import assert from "node:assert/strict";
import ccxt from "ccxt";
import type { Exchange, OHLCV } from "ccxt";
import type { Candle } from "../../src/core/candles.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { type FakeExchange, startFakeExchange } from "./fake_exchange.ts";
import { type FakeWs, startFakeWs } from "./fake_ws.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
/** The fakes' now: candle 10 (T0 + 10 min) has just opened. */
const NOW = T0 + 10 * MIN + 5_000;

function candle(i: number, bump = 0): Candle {
  const open = 42000 + i * 1.5;
  return {
    ts: T0 + i * MIN,
    open,
    high: open + 10.2 + bump,
    low: open - 7.1,
    close: open + 0.5 + bump,
    volume: 1 + (i % 7) * 0.125 + bump,
  };
}

const row = (c: Candle): OHLCV => [c.ts, c.open, c.high, c.low, c.close, c.volume];

interface Ctx {
  rest: FakeExchange;
  ws: FakeWs;
  client(name: string): Exchange;
}

async function withFakes(fn: (ctx: Ctx) => Promise<void>): Promise<void> {
  const rest = await startFakeExchange({
    markets: { okx: ["BTC/USDT", "BTC/USDT:USDT"], binanceusdm: ["BTC/USDT:USDT"] },
    nowMs: NOW,
  });
  const ws = await startFakeWs(rest);
  const seeded = Array.from({ length: 11 }, (_, i) => candle(i));
  for (const [venue, symbol] of [["okx", "BTC/USDT"], ["okx", "BTC/USDT:USDT"]] as const) {
    rest.setCandles(venue, symbol, "1m", seeded);
  }
  rest.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", seeded);
  const clients: Exchange[] = [];
  try {
    await fn({
      rest,
      ws,
      client(name) {
        const ex = createExchange(name, {
          pro: true,
          restOrigin: rest.url,
          wsOrigin: ws.url,
          rateLimitMs: 1,
        });
        clients.push(ex);
        return ex;
      },
    });
  } finally {
    for (const ex of clients) await ex.close();
    await ws.close();
    await rest.close();
  }
}

/** The newest row of a `watchOHLCVForSymbols` answer. */
function newest(res: Record<string, Record<string, OHLCV[]>>, symbol: string): OHLCV {
  const rows = res[symbol]["1m"];
  return rows[rows.length - 1];
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

Deno.test("okx: candles subscribe on /ws/v5/business and stream what REST serves", async () => {
  await withFakes(async ({ rest, ws, client }) => {
    const okx = client("okx");
    await okx.loadMarkets();
    // The snapshot after the ack is the newest candle opened by now: candle 10, still open.
    const first = await okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
    assert.deepEqual(newest(first, "BTC/USDT"), row(candle(10)));
    assert.deepEqual(ws.frames.map((f) => [f.path, JSON.parse(f.text)]), [
      ["/ws/v5/business", { op: "subscribe", args: [{ channel: "candle1m", instId: "BTC-USDT" }] }],
    ]);
    assert.deepEqual(ws.subscriptions(), [{
      venue: "okx",
      path: "/ws/v5/business",
      connection: 1,
      kind: "candles",
      symbol: "BTC/USDT",
      timeframe: "1m",
      channel: "candle1m:BTC-USDT",
    }]);
    // An update of the open candle, then the next one; REST serves the same values.
    const next = okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
    assert.equal(ws.pushCandle("okx", "BTC/USDT", "1m", candle(10, 3)), 1);
    assert.deepEqual(newest(await next, "BTC/USDT"), row(candle(10, 3)));
    rest.nowMs = NOW + MIN;
    const after = okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(11));
    assert.deepEqual(newest(await after, "BTC/USDT"), row(candle(11)));
    const viaRest = await okx.fetchOHLCV("BTC/USDT", "1m", T0 + 10 * MIN, 2);
    assert.deepEqual(viaRest, [row(candle(10, 3)), row(candle(11))]);
  });
});

Deno.test("okx: swap candles carry base volume in volCcy, as ccxt reads for swaps", async () => {
  await withFakes(async ({ ws, client }) => {
    const okx = client("okx");
    const res = await okx.watchOHLCVForSymbols([["BTC/USDT:USDT", "1m"]]);
    assert.deepEqual(newest(res, "BTC/USDT:USDT"), row(candle(10)));
    assert.equal(ws.subscriptions()[0].channel, "candle1m:BTC-USDT-SWAP");
  });
});

Deno.test("okx: tickers on /ws/v5/public; ping answers pong; wrong URL answers 60018", async () => {
  await withFakes(async ({ ws, client }) => {
    const okx = client("okx");
    await okx.loadMarkets();
    const watching = okx.watchTicker("BTC/USDT");
    await ws.until(() => ws.subscriptions({ kind: "ticker" }).length === 1, "ticker subscription");
    ws.pushTicker("okx", "BTC/USDT", { last: 42010.5, bid: 42010, ask: 42011, volume: 12 });
    const t = await watching;
    assert.equal(t.symbol, "BTC/USDT");
    assert.deepEqual([t.last, t.bid, t.ask, t.baseVolume], [42010.5, 42010, 42011, 12]);
    assert.equal(ws.subscriptions({ kind: "ticker" })[0].path, "/ws/v5/public");

    const raw = new WebSocket(`${ws.url}/ws/v5/public`);
    const replies: string[] = [];
    const twoReplies = new Promise<void>((resolve) => {
      raw.onmessage = (e) => replies.push(String(e.data)) === 2 && resolve();
    });
    await new Promise((resolve) => (raw.onopen = resolve));
    raw.send("ping");
    raw.send(
      JSON.stringify({ op: "subscribe", args: [{ channel: "candle1m", instId: "BTC-USDT" }] }),
    );
    await twoReplies;
    assert.equal(replies[0], "pong");
    assert.equal(JSON.parse(replies[1]).code, "60018");
    const closed = new Promise((resolve) => (raw.onclose = resolve));
    raw.close();
    await closed;
  });
});

Deno.test("binanceusdm: klines on /market/ws/0 with SUBSCRIBE ids; watchTicker uses miniTicker", async () => {
  await withFakes(async ({ rest, ws, client }) => {
    const bn = client("binanceusdm");
    await bn.loadMarkets();
    const first = await bn.watchOHLCVForSymbols([["BTC/USDT:USDT", "1m"]]);
    assert.deepEqual(newest(first, "BTC/USDT:USDT"), row(candle(10)));
    assert.deepEqual(ws.frames.map((f) => [f.path, JSON.parse(f.text)]), [
      ["/market/ws/0", { method: "SUBSCRIBE", params: ["btcusdt@kline_1m"], id: 1 }],
    ]);
    rest.nowMs = NOW + MIN;
    const next = bn.watchOHLCVForSymbols([["BTC/USDT:USDT", "1m"]]);
    ws.pushCandle("binanceusdm", "BTC/USDT:USDT", "1m", candle(11));
    assert.deepEqual(newest(await next, "BTC/USDT:USDT"), row(candle(11)));
    assert.deepEqual(await bn.fetchOHLCV("BTC/USDT:USDT", "1m", T0 + 11 * MIN, 1), [
      row(candle(11)),
    ]);

    const ticking = bn.watchTicker("BTC/USDT:USDT");
    await ws.until(() => ws.subscriptions({ kind: "ticker" }).length === 1, "ticker subscription");
    const sub = ws.subscriptions({ kind: "ticker" })[0];
    assert.deepEqual([sub.path, sub.channel], ["/market/ws/1", "btcusdt@miniTicker"]);
    ws.pushTicker("binanceusdm", "BTC/USDT:USDT", { last: 42001, volume: 3 });
    const t = await ticking;
    assert.deepEqual([t.symbol, t.last, t.baseVolume], ["BTC/USDT:USDT", 42001, 3]);
  });
});

Deno.test("unWatchOHLCVForSymbols ends the upstream subscription on both venues", async () => {
  await withFakes(async ({ ws, client }) => {
    for (const [name, symbol] of [["okx", "BTC/USDT"], ["binanceusdm", "BTC/USDT:USDT"]]) {
      const ex = client(name);
      await ex.watchOHLCVForSymbols([[symbol, "1m"]]);
      assert.equal(ws.subscriptions({ symbol, kind: "candles" }).length, 1);
      await ex.unWatchOHLCVForSymbols([[symbol, "1m"]]);
      assert.equal(ws.subscriptions({ symbol, kind: "candles" }).length, 0);
    }
  });
});

Deno.test("dropAll rejects pending watches; refuse makes ccxt fail until accept", async () => {
  await withFakes(async ({ ws, client }) => {
    const okx = client("okx");
    await okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
    const pending = okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
    ws.refuse();
    assert.equal(ws.dropAll(), 1);
    const dropped = await failure(pending);
    assert.ok(dropped instanceof ccxt.NetworkError, String(dropped));
    assert.match(dropped.message, /closed by remote server, closing code 1001/);

    const refused = await failure(okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]));
    assert.ok(refused instanceof ccxt.NetworkError, String(refused));
    const restDown = await failure(okx.fetchOHLCV("BTC/USDT", "1m", T0, 1));
    assert.ok(restDown instanceof ccxt.NetworkError, String(restDown));
    assert.equal(ws.connections(), 0);

    ws.accept();
    const back = await okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
    assert.deepEqual(newest(back, "BTC/USDT"), row(candle(10)));
    assert.equal(ws.connections("okx"), 1);
    assert.equal(ws.accepted, 2);
  });
});
