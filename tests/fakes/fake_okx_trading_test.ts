// Tests for the fake OKX private REST, driven through real ccxt with keys (and raw fetch).

import assert from "node:assert/strict";
import ccxt from "ccxt";
import type { Exchange } from "ccxt";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { type FakeExchange, startFakeExchange } from "./fake_exchange.ts";
import { attachFakeOkxTrading, type FakeOkxTrading } from "./fake_okx_trading.ts";

const KEYS = { apiKey: "k-fake-1", secret: "s-fake-2", password: "p-fake-3" };
const SYM = "BTC/USDT";

async function withOkx(
  fn: (fake: FakeExchange, okx: FakeOkxTrading, ex: Exchange) => Promise<void>,
): Promise<void> {
  const fake = await startFakeExchange({
    markets: { okx: [SYM, "ETH/USDT"] },
    nowMs: 1_700_000_000_000,
  });
  try {
    const okx = attachFakeOkxTrading(fake, {
      apiKey: KEYS.apiKey,
      secret: KEYS.secret,
      passphrase: KEYS.password,
      balances: { USDT: 1000, ETH: 2 },
    });
    const ex = createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1, credentials: KEYS });
    await ex.loadMarkets();
    await fn(fake, okx, ex);
  } finally {
    await fake.close();
  }
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

Deno.test("missing or wrong auth headers get OKX's 401 bodies", async () => {
  await withOkx(async (fake) => {
    const res = await fetch(`${fake.url}/api/v5/account/balance`);
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      code: "50103",
      msg: "Request header OK-ACCESS-KEY can not be empty.",
      data: [],
    });
    const headers = {
      "OK-ACCESS-KEY": KEYS.apiKey,
      "OK-ACCESS-PASSPHRASE": KEYS.password,
      "OK-ACCESS-SIGN": "bm9wZQ==",
      "OK-ACCESS-TIMESTAMP": "2024-01-01T00:00:00.000Z",
    };
    const bad = await fetch(`${fake.url}/api/v5/account/balance`, { headers });
    assert.deepEqual([bad.status, (await bad.json()).code], [401, "50113"]);
    const noTs = await fetch(`${fake.url}/api/v5/account/balance`, {
      headers: { ...headers, "OK-ACCESS-TIMESTAMP": "" },
    });
    assert.equal((await noTs.json()).code, "50107");
  });
});

Deno.test("balances, market fills with the base fee, limits freeze funds and fill on a cross", async () => {
  await withOkx(async (_fake, okx, ex) => {
    okx.setPrice(SYM, 20_000);
    await ex.createOrder(SYM, "market", "buy", 0.01, undefined, { clientOrderId: "m1" });
    let bal = await ex.fetchBalance();
    assert.deepEqual([bal.USDT.total, bal.BTC.total], [800, 0.00999]);
    const lim = await ex.createOrder(SYM, "limit", "sell", 0.005, 21_000, { clientOrderId: "l1" });
    bal = await ex.fetchBalance();
    assert.deepEqual([bal.BTC.free, bal.BTC.used], [0.00499, 0.005]);
    const open = await ex.fetchOpenOrders(SYM);
    assert.deepEqual(open.map((o) => [o.id, o.clientOrderId, o.status, o.price]), [[
      lim.id,
      "l1",
      "open",
      21_000,
    ]]);
    okx.setPrice(SYM, 21_500);
    const done = await ex.fetchOrder(lim.id!, SYM);
    assert.deepEqual([done.status, done.filled, done.average], ["closed", 0.005, 21_000]);
    const trades = await ex.fetchMyTrades(SYM);
    assert.deepEqual(
      trades.map((t) => [t.side, t.amount, t.price, t.takerOrMaker, t.fee?.currency, t.fee?.cost]),
      [["buy", 0.01, 20_000, "taker", "BTC", 0.00001], [
        "sell",
        0.005,
        21_000,
        "maker",
        "USDT",
        0.084,
      ]],
    );
    const one = await ex.fetchMyTrades(SYM, undefined, undefined, { ordId: lim.id });
    assert.equal(one.length, 1);
    assert.deepEqual(await ex.fetchPositions(), []);
  });
});

Deno.test("refusals: duplicate ids, lot and minimum sizes, balance, rejectNext; /trade/order too", async () => {
  await withOkx(async (fake, okx, ex) => {
    okx.setPrice(SYM, 20_000);
    const err = async (p: Promise<unknown>) => {
      const e = await failure(p);
      return [e.constructor.name, /"sCode":"(\d+)"/.exec(e.message)?.[1]];
    };
    await ex.createOrder(SYM, "limit", "buy", 0.001, 19_000, { clientOrderId: "d1" });
    assert.deepEqual(
      await err(ex.createOrder(SYM, "limit", "buy", 0.001, 19_000, { clientOrderId: "d1" })),
      ["InvalidOrder", "51016"],
    );
    assert.deepEqual(await err(ex.createOrder(SYM, "limit", "buy", 0.000001, 19_000)), [
      "InvalidOrder",
      "51020",
    ]);
    assert.deepEqual(await err(ex.createOrder(SYM, "limit", "buy", 1, 19_000)), [
      "InsufficientFunds",
      "51008",
    ]);
    okx.rejectNext("51131", "Insufficient balance");
    assert.deepEqual(await err(ex.createOrder(SYM, "limit", "buy", 0.001, 19_000)), [
      "InsufficientFunds",
      "51131",
    ]);
    // without setPrice, a market order fills at the latest seeded candle's close
    const t = fake.nowMs - 120_000;
    fake.setCandles("okx", "ETH/USDT", "1m", [
      { ts: t, open: 1990, high: 2001, low: 1989, close: 1995, volume: 1 },
      { ts: t + 60_000, open: 1995, high: 2003, low: 1994, close: 2000, volume: 1 },
      { ts: t + 180_000, open: 2000, high: 2000, low: 2000, close: 9999, volume: 1 },
    ]);
    ex.options.createOrder = "privatePostTradeOrder";
    const o = await ex.createOrder("ETH/USDT", "market", "sell", 1, undefined, {
      clientOrderId: "e1",
    });
    assert.deepEqual([okx.order("e1")!.id, okx.order("e1")!.avgPx], [o.id, 2000]);
    assert.deepEqual(okx.orderLog.map((e) => [e.endpoint, e.outcome, e.sCode]), [
      ["batch-orders", "placed", "0"],
      ["batch-orders", "rejected", "51016"],
      ["batch-orders", "rejected", "51020"],
      ["batch-orders", "rejected", "51008"],
      ["batch-orders", "rejected", "51131"],
      ["order", "placed", "0"],
    ]);
    assert.equal(okx.placed("d1"), 1);
  });
});

Deno.test("trigger orders fire on the cross, and fail when the coins are frozen elsewhere", async () => {
  await withOkx(async (_fake, okx, ex) => {
    okx.setPrice("ETH/USDT", 2000);
    const stop = await ex.createOrder("ETH/USDT", "market", "sell", 1, undefined, {
      triggerPrice: 1900,
      algoClOrdId: "st1",
      clientOrderId: "st1",
    });
    assert.equal(
      (await ex.fetchOpenOrders("ETH/USDT", undefined, undefined, { trigger: true }))[0].id,
      stop.id,
    );
    await ex.createOrder("ETH/USDT", "limit", "sell", 1.5, 2500, { clientOrderId: "tp1" });
    okx.setPrice("ETH/USDT", 1890);
    const fired = await ex.fetchOrder(stop.id!, "ETH/USDT", { trigger: true });
    assert.deepEqual([fired.status, (fired.info as { state: string }).state], [
      "canceled",
      "order_failed",
    ]);
    assert.equal((fired.info as { failCode: string }).failCode, "51008");
    await ex.cancelOrder(undefined as unknown as string, "ETH/USDT", { clientOrderId: "tp1" });
    const again = await ex.createOrder("ETH/USDT", "market", "sell", 1, undefined, {
      triggerPrice: 1800,
      algoClOrdId: "st2",
    });
    const dup = await failure(
      ex.createOrder("ETH/USDT", "market", "sell", 1, undefined, {
        triggerPrice: 1800,
        algoClOrdId: "st2",
      }),
    );
    assert.match(dup.message, /51065/);
    okx.setPrice("ETH/USDT", 1790);
    const after = await ex.fetchOrder(again.id!, "ETH/USDT", { trigger: true });
    assert.equal((after.info as { state: string }).state, "effective");
    const sold = okx.order((after.info as { ordId: string }).ordId)!;
    assert.deepEqual([sold.state, sold.filled, sold.avgPx], ["filled", 1, 1790]);
    const canceled = await failure(ex.cancelOrder(again.id!, "ETH/USDT", { trigger: true }));
    assert.ok(canceled instanceof ccxt.OrderNotFound);
  });
});

Deno.test("faults: before or after the effect, by request kind", async () => {
  await withOkx(async (fake, okx, ex) => {
    okx.setPrice(SYM, 20_000);
    okx.failNext({ status: 429, on: "query" });
    assert.ok((await failure(ex.fetchBalance())) instanceof ccxt.RateLimitExceeded);
    okx.failNext({ drop: true, after: true, on: "place" });
    await ex.fetchBalance(); // a query is not hit by a "place" fault
    assert.ok(
      (await failure(
        ex.createOrder(SYM, "limit", "buy", 0.001, 19_000, { clientOrderId: "f1" }),
      )) instanceof ccxt.NetworkError,
    );
    assert.equal(okx.placed("f1"), 1, "it took effect");
    assert.equal(okx.orderLog.at(-1)!.replyLost, true);
    okx.failNext({ status: 502, on: "cancel" });
    assert.ok(
      (await failure(
        ex.cancelOrder(undefined as unknown as string, SYM, { clientOrderId: "f1" }),
      )) instanceof ccxt.ExchangeNotAvailable,
    );
    assert.equal(okx.order("f1")!.state, "live", "a fault before the effect changes nothing");
    const unknown = await fetch(`${fake.url}/api/v5/trade/amend-order`, { method: "POST" });
    assert.equal(unknown.status, 401, "auth comes first");
  });
});
