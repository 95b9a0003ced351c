// Tests for the fake Binance USDT-M private REST, driven through real ccxt with keys (and raw fetch).

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import ccxt from "ccxt";
import type { Exchange } from "ccxt";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { type FakeExchange, startFakeExchange } from "./fake_exchange.ts";
import { attachFakeBinanceTrading, type FakeBinanceTrading } from "./fake_binance_trading.ts";

const KEYS = { apiKey: "k-fake-bn-1", secret: "s-fake-bn-2" };
const SYM = "BTC/USDT:USDT";

async function withBinance(
  fn: (fake: FakeExchange, bn: FakeBinanceTrading, ex: Exchange) => Promise<void>,
  balances: Record<string, number> = { USDT: 10_000 },
): Promise<void> {
  const fake = await startFakeExchange({
    markets: { binanceusdm: [SYM, "ETH/USDT:USDT"] },
    nowMs: 1_700_000_000_000,
  });
  try {
    const bn = attachFakeBinanceTrading(fake, { ...KEYS, balances });
    const ex = createExchange("binanceusdm", {
      restOrigin: fake.url,
      rateLimitMs: 1,
      credentials: KEYS,
    });
    await ex.loadMarkets();
    // createExchange keeps ccxt's futures error table behind the rewritten origin
    await fn(fake, bn, ex);
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

/** A signed raw request, as ccxt would make it. */
async function signed(
  fake: FakeExchange,
  method: string,
  path: string,
  params: Record<string, string>,
  secret = KEYS.secret,
): Promise<{ status: number; body: { code?: number; msg?: string } }> {
  const query = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  const signature = createHmac("sha256", secret).update(query).digest("hex");
  const text = `${query}&signature=${signature}`;
  const get = method === "GET" || method === "DELETE";
  const res = await fetch(`${fake.url}${path}${get ? `?${text}` : ""}`, {
    method,
    headers: {
      "X-MBX-APIKEY": KEYS.apiKey,
      ...(get ? {} : { "content-type": "application/x-www-form-urlencoded" }),
    },
    ...(get ? {} : { body: text }),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("loadMarkets with keys: sapi currencies, then exchangeInfo; all signed calls verified", async () => {
  await withBinance(async (fake, _bn, ex) => {
    const paths = fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.deepEqual(paths.slice().sort(), [
      "GET /fapi/v1/exchangeInfo 200",
      "GET /sapi/v1/capital/config/getall 200",
      "GET /sapi/v1/margin/allPairs 200",
    ]);
    assert.equal(ex.market(SYM).id, "BTCUSDT");
    await ex.loadMarkets();
    assert.equal(fake.requests.length, 3, "markets are cached");
    assert.equal(ex.currencies?.USDT?.id, "USDT");
  });
});

Deno.test("leverage, a market long, its position and margin, a stop exit that realises the loss", async () => {
  await withBinance(async (fake, bn, ex) => {
    bn.setPrice(SYM, 20_000);
    assert.deepEqual(await ex.setLeverage(10, SYM), {
      leverage: 10,
      maxNotionalValue: "50000000",
      symbol: "BTCUSDT",
    });
    const buy = await ex.createOrder(SYM, "market", "buy", 0.1, undefined, { clientOrderId: "e1" });
    assert.deepEqual(
      [buy.clientOrderId, buy.status, buy.filled, buy.average, buy.side, buy.type],
      ["e1", "closed", 0.1, 20_000, "buy", "market"],
    );
    const [pos] = await ex.fetchPositions([SYM]);
    assert.deepEqual(
      [pos.symbol, pos.side, pos.contracts, pos.entryPrice, pos.initialMarginPercentage],
      [SYM, "long", 0.1, 20_000, 0.1],
    );
    assert.equal(pos.leverage, undefined, "v3 positionRisk has no leverage");
    const [v2] = await ex.fetchPositions([SYM], { useV2: true });
    assert.deepEqual([v2.leverage, v2.marginMode, v2.entryPrice], [10, "cross", 20_000]);
    let bal = await ex.fetchBalance();
    // fee 0.1 × 20000 × 0.0005 = 1; margin 2000 / 10 = 200
    assert.deepEqual([bal.USDT.total, bal.USDT.used, bal.USDT.free], [9999, 200, 9799]);
    assert.deepEqual(fake.requests.slice(3).map((r) => `${r.method} ${r.path}`), [
      "POST /fapi/v1/leverage",
      "POST /fapi/v1/order",
      "GET /fapi/v1/leverageBracket",
      "GET /fapi/v3/positionRisk",
      "GET /fapi/v2/positionRisk",
      "GET /fapi/v3/account",
    ]);

    const stop = await ex.createOrder(SYM, "market", "sell", 0.1, undefined, {
      triggerPrice: 19_500,
      reduceOnly: true,
      clientOrderId: "e1-sl",
    });
    assert.deepEqual([stop.clientOrderId, stop.status, stop.triggerPrice, stop.reduceOnly], [
      "e1-sl",
      "open",
      19_500,
      true,
    ]);
    const open = await ex.fetchOpenOrders(SYM, undefined, undefined, { trigger: true });
    assert.deepEqual(open.map((o) => o.id), [stop.id]);
    assert.deepEqual(await ex.fetchOpenOrders(SYM), []);
    bn.setPrice(SYM, 19_400);
    const fired = await ex.fetchOrder(stop.id!, SYM, { trigger: true });
    assert.equal((fired.info as { algoStatus: string }).algoStatus, "FINISHED");
    assert.equal(fired.status, "closed");
    assert.deepEqual(await ex.fetchPositions([SYM]), []);
    bal = await ex.fetchBalance();
    // −60 realised, fees 1 + 0.97
    assert.deepEqual([bal.USDT.total, bal.USDT.used, bal.USDT.free], [9938.03, 0, 9938.03]);
    assert.deepEqual(bn.balance("USDT").wallet, 9938.03);
    const trades = await ex.fetchMyTrades(SYM);
    assert.deepEqual(
      trades.map((t) => [t.side, t.amount, t.price, t.takerOrMaker, t.fee?.currency, t.fee?.cost]),
      [["buy", 0.1, 20_000, "taker", "USDT", 1], ["sell", 0.1, 19_400, "taker", "USDT", 0.97]],
    );
    assert.deepEqual(trades.map((t) => (t.info as { realizedPnl: string }).realizedPnl), [
      "0.00000000",
      "-60.00000000",
    ]);
    const exit = bn.order((fired.info as { actualOrderId: string }).actualOrderId)!;
    assert.deepEqual([exit.clientId, exit.type, exit.status, exit.avgPrice], [
      "e1-sl",
      "MARKET",
      "FILLED",
      19_400,
    ]);
  });
});

Deno.test("a short, a resting limit filled as maker, fetchOrder by client id, a take-profit", async () => {
  await withBinance(async (_fake, bn, ex) => {
    const ETH = "ETH/USDT:USDT";
    bn.setPrice(ETH, 2000);
    await ex.createOrder(ETH, "market", "sell", 1, undefined, { clientOrderId: "s1" });
    assert.deepEqual(bn.positions().map((p) => [p.side, p.positionAmt, p.entryPrice, p.leverage]), [
      ["short", -1, 2000, 20],
    ]);
    const lim = await ex.createOrder(ETH, "limit", "buy", 0.5, 1900, { clientOrderId: "s1-part" });
    assert.deepEqual([lim.status, lim.price, lim.timeInForce], ["open", 1900, "GTC"]);
    const byClient = await ex.fetchOrder(undefined as unknown as string, ETH, {
      clientOrderId: "s1-part",
    });
    assert.deepEqual([byClient.id, byClient.status, byClient.filled], [lim.id, "open", 0]);
    assert.deepEqual((await ex.fetchOpenOrders(ETH)).map((o) => o.clientOrderId), ["s1-part"]);
    bn.fillOrder("s1-part");
    const done = await ex.fetchOrder(lim.id!, ETH);
    assert.deepEqual([done.status, done.filled, done.average], ["closed", 0.5, 1900]);
    const tp = await ex.createOrder(ETH, "market", "buy", 0.5, undefined, {
      takeProfitPrice: 1800,
      reduceOnly: true,
      clientOrderId: "s1-tp",
    });
    assert.equal((tp.info as { orderType: string }).orderType, "TAKE_PROFIT_MARKET");
    bn.setPrice(ETH, 1850);
    assert.equal(bn.order("s1-tp")!.status, "NEW", "a take-profit buy waits for a lower price");
    bn.setPrice(ETH, 1790);
    assert.equal(bn.order(tp.id!)!.status, "FINISHED");
    assert.deepEqual(bn.positions(), []);
    // fees 1 + 0.19 (maker) + 0.4475; PnL +50 + 105
    assert.equal(bn.balance().wallet, 10_153.3625);
    const ioc = await ex.createOrder(ETH, "limit", "buy", 0.5, 1700, { timeInForce: "IOC" });
    assert.deepEqual([ioc.status, ioc.filled], ["expired", 0]);
    assert.deepEqual(bn.fills().map((f) => [f.side, f.qty, f.price, f.maker, f.realizedPnl]), [
      ["SELL", 1, 2000, false, 0],
      ["BUY", 0.5, 1900, true, 50],
      ["BUY", 0.5, 1790, false, 105],
    ]);
  });
});

Deno.test("refusals carry Binance codes that ccxt maps to its error classes", async () => {
  await withBinance(async (fake, bn, ex) => {
    bn.setPrice(SYM, 20_000);
    const err = async (p: Promise<unknown>) => {
      const e = await failure(p);
      return [e.constructor.name, Number(/"code":(-?\d+)/.exec(e.message)?.[1])];
    };
    await ex.createOrder(SYM, "limit", "buy", 0.01, 19_000, { clientOrderId: "d1" });
    assert.deepEqual(
      await err(ex.createOrder(SYM, "limit", "buy", 0.01, 19_000, { clientOrderId: "d1" })),
      ["InvalidOrder", -4116],
    );
    assert.deepEqual(
      await err(ex.createOrder(SYM, "market", "sell", 0.01, undefined, { reduceOnly: true })),
      ["InvalidOrder", -2022],
    );
    assert.deepEqual(await err(ex.createOrder(SYM, "market", "buy", 20)), [
      "InsufficientFunds",
      -2019,
    ]);
    assert.deepEqual(await err(ex.createOrder(SYM, "limit", "buy", 0.001, 19_000)), [
      "InvalidOrder",
      -4164,
    ]);
    assert.deepEqual(
      await err(ex.createOrder(SYM, "market", "sell", 0.01, undefined, { triggerPrice: 20_100 })),
      ["OrderImmediatelyFillable", -2021],
    );
    bn.rejectNext(-2027, "Exceeded the maximum allowable position at current leverage.");
    assert.deepEqual(await err(ex.createOrder(SYM, "market", "buy", 0.01)), [
      "OperationRejected",
      -2027,
    ]);
    const raw = await signed(fake, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.0015",
    });
    assert.deepEqual(raw, {
      status: 400,
      body: { code: -1111, msg: "Precision is over the maximum defined for this asset." },
    });
    const stop = await signed(fake, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      quantity: "0.01",
      stopPrice: "19000",
    });
    assert.equal(stop.body.code, -4120, "conditional orders belong on /fapi/v1/algoOrder");
    assert.ok((await failure(ex.fetchOrder("123", SYM))) instanceof ccxt.OrderNotFound);
    assert.ok((await failure(ex.cancelOrder("123", SYM))) instanceof ccxt.OrderNotFound);
    assert.ok(
      (await failure(ex.fetchOrder("123", SYM, { trigger: true }))) instanceof ccxt.OrderNotFound,
    );
    await ex.cancelOrder(undefined as unknown as string, SYM, { clientOrderId: "d1" });
    await ex.createOrder(SYM, "limit", "buy", 0.01, 19_000, { clientOrderId: "d1" });
    assert.equal(bn.placed("d1"), 2, "a finished order's client id may be reused");
    assert.deepEqual(
      bn.orderLog.map((e) => [e.endpoint, e.outcome, e.code]),
      [
        ["order", "placed", 0],
        ["order", "rejected", -4116],
        ["order", "rejected", -2022],
        ["order", "rejected", -2019],
        ["order", "rejected", -4164],
        ["algoOrder", "rejected", -2021],
        ["order", "rejected", -2027],
        ["order", "rejected", -1111],
        ["order", "rejected", -4120],
        ["order", "placed", 0],
      ],
    );
  }, { USDT: 1000 });
});

Deno.test("margin mode: isolated positions park their margin; unchanged mode is MarginModeAlreadySet", async () => {
  await withBinance(async (_fake, bn, ex) => {
    bn.setPrice(SYM, 20_000);
    assert.deepEqual(await ex.fetchPositionMode(SYM), {
      info: { dualSidePosition: false },
      hedged: false,
    });
    await ex.setMarginMode("isolated", SYM);
    const again = await failure(ex.setMarginMode("isolated", SYM));
    assert.ok(again instanceof ccxt.MarginModeAlreadySet, again.message);
    await ex.setLeverage(5, SYM);
    await ex.createOrder(SYM, "market", "buy", 0.1);
    bn.setPrice(SYM, 21_000);
    const [p] = await ex.fetchPositions([SYM], { useV2: true });
    // parked 2000 / 5 = 400, uPnL +100
    assert.deepEqual([p.marginMode, p.leverage, p.collateral, p.unrealizedPnl], [
      "isolated",
      5,
      500,
      100,
    ]);
    const bal = await ex.fetchBalance();
    // wallet 9999; available = 9999 − 400 parked (isolated uPnL not usable)
    assert.deepEqual([bal.USDT.total, bal.USDT.free], [10_099, 9599]);
    const mode = await failure(ex.setMarginMode("cross", SYM));
    assert.match(mode.message, /-4048/);
    const lev = await ex.fetchLeverages([SYM]);
    assert.deepEqual([lev[SYM].longLeverage, lev[SYM].marginMode], [5, "isolated"]);
  });
});

Deno.test("auth: wrong key, wrong secret and stale timestamps are refused", async () => {
  await withBinance(async (fake) => {
    const bare = await fetch(`${fake.url}/fapi/v3/account`);
    assert.deepEqual([bare.status, await bare.json()], [401, {
      code: -2014,
      msg: "API-key format invalid.",
    }]);
    const wrong = createExchange("binanceusdm", {
      restOrigin: fake.url,
      rateLimitMs: 1,
      credentials: { apiKey: KEYS.apiKey, secret: "not-the-secret" },
    });
    const e = await failure(wrong.loadMarkets());
    assert.ok(e instanceof ccxt.AuthenticationError, e.message);
    assert.match(e.message, /-1022/);
    const otherKey = createExchange("binanceusdm", {
      restOrigin: fake.url,
      rateLimitMs: 1,
      credentials: { apiKey: "someone-else", secret: KEYS.secret },
    });
    assert.ok((await failure(otherKey.fetchBalance())) instanceof ccxt.AuthenticationError);
    const ts = String(Date.now() - 60_000);
    const q = `timestamp=${ts}`;
    const sig = createHmac("sha256", KEYS.secret).update(q).digest("hex");
    const stale = await fetch(`${fake.url}/fapi/v3/account?${q}&signature=${sig}`, {
      headers: { "X-MBX-APIKEY": KEYS.apiKey },
    });
    assert.equal((await stale.json()).code, -1021);
  });
});

Deno.test("faults: an answer lost after the effect, by request kind", async () => {
  await withBinance(async (_fake, bn, ex) => {
    bn.setPrice(SYM, 20_000);
    bn.failNext({ drop: true, after: true, on: "place" });
    await ex.fetchBalance(); // a query is not hit by a "place" fault
    const lost = await failure(
      ex.createOrder(SYM, "limit", "buy", 0.01, 19_000, { clientOrderId: "f1" }),
    );
    assert.ok(lost instanceof ccxt.NetworkError, lost.message);
    assert.equal(bn.placed("f1"), 1, "it took effect");
    assert.equal(bn.orderLog.at(-1)!.replyLost, true);
    const found = await ex.fetchOrder(undefined as unknown as string, SYM, { clientOrderId: "f1" });
    assert.equal(found.status, "open");
    bn.failNext({ status: 502, on: "cancel" });
    assert.ok(
      (await failure(ex.cancelOrder(found.id!, SYM))) instanceof ccxt.ExchangeNotAvailable,
    );
    assert.equal(bn.order("f1")!.status, "NEW", "a fault before the effect changes nothing");
    bn.failNext({ status: 429, on: "query" });
    assert.ok((await failure(ex.fetchOpenOrders(SYM))) instanceof ccxt.DDoSProtection);
    bn.failNext({ drop: true, on: "place" });
    await failure(ex.createOrder(SYM, "market", "buy", 0.01, undefined, { clientOrderId: "f2" }));
    assert.deepEqual([bn.placed("f2"), bn.orderLog.at(-1)!.outcome], [0, "failed"]);
  });
});

Deno.test("funding: a long pays, a short receives; fetchFundingHistory reads /fapi/v1/income", async () => {
  await withBinance(async (fake, bn, ex) => {
    const t0 = fake.nowMs;
    bn.setPrice(SYM, 20_000);
    bn.setPrice("ETH/USDT:USDT", 1_000);
    assert.equal(bn.chargeFunding(SYM, 0.0001), undefined, "flat: nothing charged");
    await ex.createOrder(SYM, "market", "buy", 0.1);
    await ex.createOrder("ETH/USDT:USDT", "market", "sell", 2);
    const wallet = bn.balance().wallet;
    fake.requests.length = 0;
    // long 0.1 × 20000 × 0.0001 = 0.2 paid; short 2 × 1000 × 0.0001 = 0.2 received
    assert.equal(bn.chargeFunding(SYM, 0.0001, t0 + 1000)!.income, -0.2);
    assert.equal(bn.chargeFunding("ETH/USDT:USDT", 0.0001, t0 + 1000)!.income, 0.2);
    bn.setPrice(SYM, 21_000);
    bn.chargeFunding(SYM, -0.0002, t0 + 2000); // negative rate: the long receives 0.42
    assert.ok(Math.abs(bn.balance().wallet - (wallet - 0.2 + 0.2 + 0.42)) < 1e-9);
    const rows = await ex.fetchFundingHistory(SYM, t0, 10);
    assert.deepEqual(rows.map((r) => [r.symbol, r.code, r.amount, r.timestamp]), [
      [SYM, "USDT", -0.2, t0 + 1000],
      [SYM, "USDT", 0.42, t0 + 2000],
    ]);
    assert.deepEqual(
      rows.map((r) => r.id),
      bn.incomes().filter((r) => r.symbol === "BTCUSDT")
        .map((r) => String(r.tranId)),
    );
    const req = fake.requests.at(-1)!;
    assert.equal(`${req.method} ${req.path}`, "GET /fapi/v1/income");
    const q = req.query;
    assert.deepEqual(
      ["incomeType", "symbol", "startTime", "limit"].map((k) => q[k]),
      ["FUNDING_FEE", "BTCUSDT", String(t0), "10"],
    );
    assert.ok(q.signature && q.timestamp, "signed");
    // since and until select; all symbols without one
    const later = await ex.fetchFundingHistory(SYM, t0 + 1500, undefined, { until: t0 + 2500 });
    assert.deepEqual(later.map((r) => r.amount), [0.42]);
    const all = await ex.fetchFundingHistory(undefined, t0);
    assert.deepEqual(all.map((r) => [r.symbol, r.amount]).sort(), [
      ["BTC/USDT:USDT", -0.2],
      ["BTC/USDT:USDT", 0.42],
      ["ETH/USDT:USDT", 0.2],
    ]);
  });
});
