// CcxtBroker on linear perpetuals through real ccxt binanceusdm against the fake Binance USDT-M:
// leverage and isolated margin, brackets with OCO, shorts, margin refusals, restart, retries.

import assert from "node:assert/strict";
import { exchangeClientId } from "../../src/live/client_order_id.ts";
import { CcxtBroker } from "../../src/live/ccxt_broker.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { MemoryOrderJournal } from "../../src/core/order_journal.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import { attachFakeOkxTrading } from "../fakes/fake_okx_trading.ts";
import { assertNoBinanceKeys, futuresSetup } from "./futures_support.ts";
import { bar, KEYS, T0 } from "./broker_support.ts";

const SYM = "BTC/USDT:USDT";
const MIN = 60_000;
const TAKER = 0.0005; // the fake's (and Binance's listed) taker rate
const near = (a: number, b: number, what: string, eps = 1e-6) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

Deno.test("futures: leverage and isolated margin set, a bracketed long matches the exchange", async () => {
  await using s = await futuresSetup({ leverage: 5 });
  const { broker, bn, journal } = s;
  await broker.reconcile({ symbols: [SYM] });
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  const res = broker.submit({
    clientId: "live-BTC-1-open",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 0.05 },
    bracket: { sl: 39_000, tp: 42_000 },
  }, T0);
  assert.ok(res.ok, JSON.stringify(res));
  await broker.flush();
  const st = bn.position(SYM);
  assert.deepEqual([st.leverage, st.marginType], [5, "isolated"]);
  const calls = s.fake.requests.map((r) => `${r.method} ${r.path}`);
  const at = (what: string) => calls.indexOf(what);
  assert.ok(at("POST /fapi/v1/marginType") >= 0 && at("POST /fapi/v1/leverage") >= 0, calls.join());
  assert.ok(at("POST /fapi/v1/leverage") < at("POST /fapi/v1/order"), "set before the order");
  assert.equal(journal.placedAtIntent.get("live-BTC-1-open"), 0, "intent stored before sending");
  assert.equal(bn.placed(exchangeClientId("live-BTC-1-open")), 1);

  await broker.poll();
  const pos = broker.position(SYM)!;
  assert.deepEqual([pos.side, pos.qty, pos.entryPrice, pos.leverage], ["long", 0.05, 40_000, 5]);
  near(bn.position(SYM).positionAmt, 0.05, "exchange position = ledger");
  near(broker.costs().fees, 0.05 * 40_000 * TAKER, "fee in USDT");
  const legs = broker.openOrders(SYM);
  assert.deepEqual(legs.map((o) => [o.clientId, o.side, o.reduceOnly]).sort(), [
    ["live-BTC-1-open:sl", "sell", true],
    ["live-BTC-1-open:tp", "sell", true],
  ]);
  const sl = bn.order(exchangeClientId("live-BTC-1-open:sl"))!;
  const tp = bn.order(exchangeClientId("live-BTC-1-open:tp"))!;
  assert.deepEqual([sl.type, sl.triggerPrice, sl.reduceOnly], [
    "STOP_MARKET",
    39_000,
    true,
  ]);
  assert.deepEqual([tp.type, tp.triggerPrice, tp.reduceOnly], [
    "TAKE_PROFIT_MARKET",
    42_000,
    true,
  ]);
  assert.equal(broker.position(SYM)!.sl, 39_000);
  assert.equal(broker.position(SYM)!.tp, 42_000);

  // the stop fires: the take-profit is cancelled, pnl net of fees = the wallet's change
  const before = 10_000;
  bn.setPrice(SYM, 38_900);
  await broker.poll();
  assert.equal(broker.position(SYM), undefined);
  near(bn.position(SYM).positionAmt, 0, "flat at the exchange");
  assert.equal(bn.order(exchangeClientId("live-BTC-1-open:tp"))!.status, "CANCELED");
  assert.deepEqual(broker.openOrders(SYM), []);
  const [t] = broker.trades();
  assert.equal(t.exit_reason, "sl");
  near(t.pnl, bn.balance().wallet - before, "pnl net of fees = wallet change", 1e-9);
  near(broker.balance(), bn.balance().wallet, "ledger balance = wallet");
  assertNoBinanceKeys(s.logs.join("\n"));
});

Deno.test("futures: a short round trip books the pnl the exchange pays", async () => {
  await using s = await futuresSetup({ leverage: 3 });
  const { broker, bn } = s;
  await broker.reconcile();
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  const open = broker.submit({
    clientId: "live-BTC-2-open",
    symbol: SYM,
    side: "sell",
    type: "market",
    size: { kind: "qty", qty: 0.02 },
  }, T0);
  assert.ok(open.ok, JSON.stringify(open));
  await broker.poll();
  const pos = broker.position(SYM)!;
  assert.deepEqual([pos.side, pos.qty, pos.leverage], ["short", 0.02, 3]);
  near(bn.position(SYM).positionAmt, -0.02, "short at the exchange");

  bn.setPrice(SYM, 39_000);
  broker.onBar(SYM, bar(T0, 39_000));
  broker.closePosition(SYM, 39_000, T0 + MIN, "signal");
  await broker.poll();
  assert.equal(broker.position(SYM), undefined);
  near(bn.position(SYM).positionAmt, 0, "flat at the exchange");
  const close = bn.order(exchangeClientId(`signal:${SYM}:${T0 + MIN}`))!;
  assert.equal(close.reduceOnly, true, "the close is sent reduce-only");
  const [t] = broker.trades();
  assert.equal(t.side, "short");
  const fees = 0.02 * 40_000 * TAKER + 0.02 * 39_000 * TAKER;
  near(t.pnl, 0.02 * 1_000 - fees, "gross minus both fees");
  near(t.pnl, bn.balance().wallet - 10_000, "= the wallet's change", 1e-9);
});

Deno.test("futures: insufficient margin is refused before anything is sent", async () => {
  await using s = await futuresSetup({ usdt: 1_000, leverage: 2 });
  const { broker, bn } = s;
  await broker.reconcile();
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  const res = broker.submit({
    clientId: "live-BTC-3-open",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 0.1 },
  }, T0);
  assert.equal(res.ok, false);
  assert.ok(!res.ok && res.code === "insufficient_margin", JSON.stringify(res));
  assert.match(!res.ok ? res.reason : "", /needs 2002 \(margin 2000 at 2x \+ fee 2\) but 1000/);
  await broker.flush();
  assert.equal(bn.placed(exchangeClientId("live-BTC-3-open")), 0);
  // at 2x the same 1000 carries 0.04 BTC (800 margin + 0.8 fee)
  const ok = broker.submit({
    clientId: "live-BTC-4-open",
    symbol: SYM,
    side: "sell",
    type: "market",
    size: { kind: "qty", qty: 0.04 },
  }, T0);
  assert.ok(ok.ok, JSON.stringify(ok));
  // the order in flight holds its margin: a second one no longer fits
  const more = broker.submit({
    clientId: "live-BTC-5-open",
    symbol: SYM,
    side: "sell",
    type: "market",
    size: { kind: "qty", qty: 0.02 },
  }, T0);
  assert.ok(!more.ok && more.code === "insufficient_margin", JSON.stringify(more));
  // below the minimum notional (100 USDT)
  const small = broker.submit({
    clientId: "live-BTC-6-open",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 0.001 },
  }, T0);
  assert.ok(!small.ok && small.code === "min_notional", JSON.stringify(small));
  await broker.flush();
});

Deno.test("futures: restart adopts the position and sends nothing; unknown positions are reported", async () => {
  await using s = await futuresSetup({ leverage: 5 });
  const { broker, bn } = s;
  await broker.reconcile();
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  assert.ok(
    broker.submit({
      clientId: "live-BTC-7-open",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.03 },
      bracket: { sl: 39_000, tp: 43_000 },
    }, T0).ok,
  );
  await broker.poll();
  await broker.poll(); // legs acknowledged
  await broker.close();
  // someone opens ETH by hand while the bot is down
  bn.placeManual({ symbol: "ETH/USDT:USDT", side: "SELL", type: "MARKET", quantity: 0.5 });
  const ordersBefore = bn.orderLog.length;

  const again = s.restart();
  const report = await again.reconcile({ symbols: [SYM, "ETH/USDT:USDT"] });
  await again.flush();
  assert.equal(bn.orderLog.length, ordersBefore, "nothing sent at restart");
  assert.deepEqual(report.adopted.sort(), ["live-BTC-7-open:sl", "live-BTC-7-open:tp"]);
  assert.deepEqual(report.positions.map((p) => [p.symbol, p.side, p.qty, p.leverage]), [
    [SYM, "long", 0.03, 5],
  ]);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(
    report.untrackedPositions.map((p) => [p.symbol, p.side, p.qty]),
    [["ETH/USDT:USDT", "short", 0.5]],
  );
  assert.ok(s.logs.some((l) => l.includes("exchange position not in the ledger")));
  near(again.balance(), bn.balance().wallet, "ledger balance = wallet");

  // the adopted OCO still works: the target fills, the stop is cancelled
  bn.setPrice(SYM, 43_100);
  await again.poll();
  assert.equal(again.position(SYM), undefined);
  assert.equal(bn.order(exchangeClientId("live-BTC-7-open:sl"))!.status, "CANCELED");
  assert.equal(again.trades()[0].exit_reason, "tp");

  // a size that differs from the exchange is a problem to check by hand
  again.onBar(SYM, bar(T0, 43_100));
  assert.ok(
    again.submit({
      clientId: "live-BTC-9-open",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.02 },
      bracket: { sl: 42_000, tp: 46_000 },
    }, T0 + MIN).ok,
  );
  await again.poll();
  await again.poll();
  assert.deepEqual(again.refusals(), [], "isolated already: 'no need to change' is fine");
  assert.equal(again.position(SYM)!.qty, 0.02);
  await again.close();
  bn.placeManual({ symbol: SYM, side: "BUY", type: "MARKET", quantity: 0.01 });
  const third = s.restart();
  const r3 = await third.reconcile({ symbols: [SYM] });
  assert.deepEqual(r3.untrackedPositions, []);
  assert.deepEqual(r3.problems, [
    `The journal gives a 0.02 long position in ${SYM} but Binance USDT-M futures has 0.03 ` +
    `long; check it on the exchange by hand.`,
  ]);
  assert.ok(s.logs.some((l) => l.includes("position differs from the exchange")));
});

Deno.test("futures: an ambiguous send failure is looked up, never sent twice", async () => {
  await using s = await futuresSetup();
  const { broker, bn } = s;
  await broker.reconcile();
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  await broker.flush();
  bn.failNext({ on: "place", drop: true, after: true });
  const res = broker.submit({
    clientId: "live-BTC-8-open",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(res.ok);
  await broker.poll();
  assert.equal(bn.placed(exchangeClientId("live-BTC-8-open")), 1, "placed exactly once");
  assert.ok(bn.orderLog.some((e) => e.replyLost), "the answer to the placement was lost");
  assert.equal((await s.journal.byClientId("live-BTC-8-open"))!.status, "filled");
  assert.equal(broker.position(SYM)!.qty, 0.01);
  near(bn.position(SYM).positionAmt, 0.01, "one position's worth at the exchange");
});

Deno.test("futures: margin mode that cannot be set refuses the order, nothing sent", async () => {
  await using s = await futuresSetup();
  const { broker, bn, journal } = s;
  bn.placeManual({ symbol: SYM, side: "BUY", type: "MARKET", quantity: 0.01 }); // cross
  await broker.reconcile();
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  assert.ok(
    broker.submit({
      clientId: "live-BTC-10-open",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.01 },
    }, T0).ok,
  );
  await broker.flush();
  const [r] = broker.refusals();
  assert.equal(r?.code, "not_prepared");
  assert.match(r.reason, /did not switch BTC\/USDT:USDT to isolated margin/);
  assert.equal(bn.placed(exchangeClientId("live-BTC-10-open")), 0);
  assert.equal(await journal.byClientId("live-BTC-10-open"), undefined, "not journaled");
  assert.equal(bn.position(SYM).marginType, "cross");
});

Deno.test("futures: derivatives stay refused on an exchange without them, naming it", async () => {
  const fake = await startFakeExchange({ markets: { okx: ["BTC/USDT", SYM] }, nowMs: T0 });
  try {
    attachFakeOkxTrading(fake, {
      apiKey: KEYS.apiKey,
      secret: KEYS.secret,
      passphrase: KEYS.password,
      balances: { USDT: 10_000 },
    });
    const ex = createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1, credentials: KEYS });
    const broker = new CcxtBroker(ex, {
      exchange: "okx",
      journal: new MemoryOrderJournal(),
      pollIntervalMs: 0,
      retry: { attempts: 2, sleep: () => Promise.resolve() },
      log: () => {},
    });
    await broker.reconcile();
    broker.setMark(SYM, 40_000);
    const res = broker.submit({
      clientId: "live-okx-swap",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.01 },
    }, T0);
    assert.ok(!res.ok && res.code === "unsupported_market", JSON.stringify(res));
    assert.match(!res.ok ? res.reason : "", /live trading on OKX supports spot markets only/);
    await broker.close();
  } finally {
    await fake.close();
  }
});
