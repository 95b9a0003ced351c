// CcxtBroker through real ccxt against the fake OKX: round trip, brackets, rejections, retries.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { CcxtBroker } from "../../src/live/ccxt_broker.ts";
import { exchangeClientId } from "../../src/live/client_order_id.ts";
import { assertNoKeys, bar, KEYS, liveSetup, T0 } from "./broker_support.ts";

const SYM = "BTC/USDT";
const MIN = 60_000;
const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

Deno.test("a live market order round trip: journal first, sent once, filled, booked", async () => {
  await using s = await liveSetup();
  const { broker, okx, journal } = s;
  const report = await broker.reconcile();
  assert.deepEqual([report.acked, report.notSent, report.adopted, report.unknownOrders], [
    [],
    [],
    [],
    [],
  ]);
  assert.deepEqual(broker.onBar(SYM, bar(T0 - MIN, 40_000)), []);
  near(broker.equity(), 10_000, "equity from the exchange balance");

  const res = broker.submit({
    clientId: "live-BTC/USDT-1-open",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(res.ok);
  const id = exchangeClientId("live-BTC/USDT-1-open");
  assert.equal(res.orderId, id);
  assert.equal(broker.openOrders(SYM).length, 1, "a market order shows until it fills");
  await broker.flush();

  assert.equal(
    journal.placedAtIntent.get("live-BTC/USDT-1-open"),
    0,
    "intent stored before sending",
  );
  assert.equal(okx.placed(id), 1, "sent exactly once");
  const sent = okx.orderLog.find((e) => e.clOrdId === id)!;
  assert.deepEqual([sent.side, sent.ordType, sent.sz, sent.instId], [
    "buy",
    "market",
    "0.01",
    "BTC-USDT",
  ]);
  const entry = (await journal.byClientId("live-BTC/USDT-1-open"))!;
  assert.equal(entry.status, "acked");
  assert.equal(entry.exchangeOrderId, okx.order(id)!.id);

  await broker.poll();
  const fills = broker.onBar(SYM, bar(T0, 40_000));
  assert.equal(fills.length, 1);
  const f = fills[0];
  assert.deepEqual(
    [f.orderId, f.clientId, f.side, f.qty, f.price, f.liquidity],
    [id, "live-BTC/USDT-1-open", "buy", 0.01, 40_000, "taker"],
  );
  near(f.fee, 0.4, "fee: 0.00001 BTC paid in base, at the fill price");
  assert.deepEqual(broker.onBar(SYM, bar(T0 + MIN, 40_000)), [], "each fill reported once");
  const pos = broker.position(SYM)!;
  assert.equal(pos.side, "long");
  near(pos.qty, 0.00999, "position grows by the net amount");
  assert.equal(pos.entryPrice, 40_000);
  near(pos.qty, okx.balance("BTC").total, "position = coins held");
  const done = (await journal.byClientId("live-BTC/USDT-1-open"))!;
  assert.equal(done.status, "filled");
  assert.equal(done.fills.length, 1);
  near(done.fills[0].feeQty, 0.00001, "journal keeps the base fee");

  okx.setPrice(SYM, 41_000);
  const exit = broker.submit({
    clientId: "live-BTC/USDT-2-signal",
    symbol: SYM,
    side: "sell",
    type: "market",
    size: { kind: "qty", qty: pos.qty },
    reduceOnly: true,
    exitReason: "signal",
  }, T0 + MIN);
  assert.ok(exit.ok);
  await broker.poll();
  const out = broker.onBar(SYM, bar(T0 + 2 * MIN, 41_000));
  assert.equal(out.length, 1);
  assert.equal(out[0].exitReason, "signal");
  assert.equal(broker.position(SYM), undefined);
  const [t] = broker.trades();
  assert.deepEqual(
    [t.side, t.entry_price, t.exit_price, t.exit_reason],
    ["long", 40_000, 41_000, "signal"],
  );
  near(t.qty, 0.00999, "trade qty");
  near(t.fees, 0.4 + 0.00999 * 41_000 * 0.001, "fees in and out");
  near(t.pnl, 0.00999 * 1000 - t.fees, "pnl net of fees");
  near(broker.balance(), okx.balance("USDT").total, "ledger = exchange after the round trip");
  assertNoKeys(JSON.stringify([s.logs, journal.all(), broker.refusals()]));
});

Deno.test("onBar polls in the background; awaiting flush() brings the fill to the next bar", async () => {
  await using s = await liveSetup({ broker: { pollOnBar: true } });
  await s.broker.reconcile();
  s.broker.onBar(SYM, bar(T0 - MIN, 40_000));
  assert.ok(
    s.broker.submit({
      clientId: "bg-1",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.001 },
    }, T0).ok,
  );
  await s.broker.flush();
  assert.deepEqual(s.broker.onBar(SYM, bar(T0, 40_000)), [], "the poll starts with this bar");
  await s.broker.flush();
  assert.deepEqual(s.broker.onBar(SYM, bar(T0 + MIN, 40_000)).map((f) => f.clientId), ["bg-1"]);
});

Deno.test("sizes by equity fraction at the latest close, rounded down to the lot", async () => {
  await using s = await liveSetup();
  await s.broker.reconcile();
  const req = {
    clientId: "eq-1",
    symbol: SYM,
    side: "buy" as const,
    type: "market" as const,
    size: { kind: "equity" as const, fraction: 0.1 },
  };
  const early = s.broker.submit(req, T0);
  assert.ok(!early.ok && early.code === "no_price", "no price before the first bar");
  s.broker.onBar(SYM, bar(T0, 40_000));
  assert.ok(s.broker.submit({ ...req, clientId: "eq-2" }, T0).ok);
  await s.broker.flush();
  const sent = s.okx.orderLog.find((e) => e.clOrdId === exchangeClientId("eq-2"))!;
  // 0.1 * 10000 / (40000 * 1.0015 listed taker) = 0.024962556... → lot 1e-8
  assert.equal(sent.sz, "0.02496255");
});

Deno.test("brackets: exits placed after the entry fills; a stop fill cancels the target", async () => {
  for (
    const c of [{ move: 38_900, reason: "sl", cancelled: "tp" }, {
      move: 42_100,
      reason: "tp",
      cancelled: "sl",
    }]
  ) {
    await using s = await liveSetup();
    const { broker, okx } = s;
    await broker.reconcile();
    broker.onBar(SYM, bar(T0 - MIN, 40_000));
    const res = broker.submit({
      clientId: "br-1",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.01 },
      bracket: { sl: 39_000.04, tp: 42_000.02 },
    }, T0);
    assert.ok(res.ok);
    await broker.flush();
    assert.equal(
      okx.orders().filter((o) => o.kind === "algo").length,
      0,
      "no exits before the fill",
    );
    await broker.poll();
    const sl = okx.order(exchangeClientId("br-1:sl"))!;
    const tp = okx.order(exchangeClientId("br-1:tp"))!;
    assert.deepEqual([sl.kind, sl.state, sl.side, sl.triggerPx, sl.px], [
      "algo",
      "live",
      "sell",
      39_000,
      undefined,
    ]);
    assert.deepEqual([tp.kind, tp.state, tp.triggerPx, tp.px], [
      "algo",
      "live",
      42_000.1,
      42_000.1,
    ]);
    near(sl.sz, 0.00999, "exits sized to the position");
    const legs = broker.openOrders(SYM);
    assert.equal(legs.length, 2);
    assert.equal(legs[0].ocoWith, legs[1].id);
    assert.equal(legs[1].ocoWith, legs[0].id);
    const view = broker.position(SYM)!;
    assert.deepEqual([view.sl, view.tp], [39_000, 42_000.1]);
    assert.equal(broker.onBar(SYM, bar(T0, 40_000)).length, 1);

    okx.setPrice(SYM, c.move);
    await broker.poll();
    const out = broker.onBar(SYM, bar(T0 + MIN, c.move));
    assert.equal(out.length, 1);
    assert.equal(out[0].exitReason, c.reason);
    assert.equal(broker.position(SYM), undefined);
    assert.equal(broker.trades()[0].exit_reason, c.reason);
    assert.equal(okx.order(exchangeClientId(`br-1:${c.cancelled}`))!.state, "canceled", "OCO");
    assert.deepEqual(broker.openOrders(), []);
    assert.equal(okx.placed(exchangeClientId("br-1:sl")), 1);
    assert.equal(okx.placed(exchangeClientId("br-1:tp")), 1);
    near(broker.balance(), okx.balance("USDT").total, "ledger = exchange");
  }
});

Deno.test("brackets in percent of the fill: the exits are placed from the price the entry got", async () => {
  await using s = await liveSetup();
  const { broker, okx } = s;
  await broker.reconcile();
  broker.onBar(SYM, bar(T0 - MIN, 40_000));
  okx.setPrice(SYM, 40_123.4); // the entry fills here, not at the last close
  const res = broker.submit({
    clientId: "pct-1",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 0.01 },
    bracket: { slPct: 1, tpPct: 2 },
  }, T0);
  assert.ok(res.ok);
  await broker.flush();
  await broker.poll();
  const sl = okx.order(exchangeClientId("pct-1:sl"))!;
  const tp = okx.order(exchangeClientId("pct-1:tp"))!;
  // 40,123.4 × 0.99 = 39,722.166 → a sell stop rounds down to the 0.1 tick; × 1.02 = 40,925.868
  // → a sell target rounds up
  assert.equal(sl.triggerPx, 39_722.1);
  assert.equal(tp.px, 40_925.9);
  const view = broker.position(SYM)!;
  assert.deepEqual([view.entryPrice, view.sl, view.tp], [40_123.4, 39_722.1, 40_925.9]);
});

Deno.test("an exchange rejection becomes a recorded refusal with the exchange's message", async () => {
  await using s = await liveSetup();
  const { broker, okx, journal } = s;
  await broker.reconcile();
  broker.onBar(SYM, bar(T0, 40_000));
  okx.rejectNext("51008", "Order failed. Insufficient USDT balance in account.");
  const res = broker.submit({
    clientId: "rj-1",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 39_000,
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(res.ok, "accepted locally");
  await broker.flush();
  const [r] = broker.refusals();
  assert.equal(r.code, "insufficient_balance");
  assert.equal(r.clientId, "rj-1");
  assert.match(r.reason, /"Order failed\. Insufficient USDT balance in account\." \(code 51008\)/);
  assert.match(r.reason, /add funds or reduce the size/);
  assert.equal((await journal.byClientId("rj-1"))!.status, "rejected");
  assert.equal(okx.placed(exchangeClientId("rj-1")), 0);
  assert.deepEqual(broker.openOrders(), []);

  const big = broker.submit({
    clientId: "rj-2",
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 1 },
  }, T0);
  assert.ok(!big.ok && big.code === "insufficient_margin", "refused before sending");
  const short = broker.submit({
    clientId: "rj-3",
    symbol: SYM,
    side: "sell",
    type: "market",
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(!short.ok && short.code === "spot_short");
  const tiny = broker.submit({
    clientId: "rj-4",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 39_000,
    size: { kind: "qty", qty: 0.000001 },
  }, T0);
  assert.ok(!tiny.ok && tiny.code === "min_qty");
  await broker.flush();
  assert.equal(okx.orderLog.length, 1, "only the first order reached the exchange");
});

Deno.test("temporary failures are retried without ever creating a second order", async (t) => {
  const order = (clientId: string) => ({
    clientId,
    symbol: SYM,
    side: "buy" as const,
    type: "limit" as const,
    price: 39_000,
    size: { kind: "qty" as const, qty: 0.01 },
  });
  const cases = [
    { name: "429 before the exchange acts", fault: { status: 429 }, log: ["failed", "placed"] },
    { name: "dropped before it acts", fault: { drop: true }, log: ["failed", "placed"] },
    {
      name: "dropped after it placed the order",
      fault: { drop: true, after: true },
      log: ["placed"],
    },
    { name: "504 after it placed the order", fault: { status: 504, after: true }, log: ["placed"] },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      await using s = await liveSetup();
      await s.broker.reconcile();
      s.okx.failNext({ ...c.fault, on: "place" });
      assert.ok(s.broker.submit(order("tr-1"), T0).ok);
      await s.broker.flush();
      const id = exchangeClientId("tr-1");
      assert.deepEqual(
        s.okx.orderLog.filter((e) => e.clOrdId === id).map((e) => e.outcome),
        c.log,
      );
      assert.equal(s.okx.placed(id), 1);
      const e = (await s.journal.byClientId("tr-1"))!;
      assert.equal(e.status, "acked");
      assert.equal(e.exchangeOrderId, s.okx.order(id)!.id);
      assert.deepEqual(s.broker.refusals(), []);
      const lookups = s.fake.requests.filter((r) => r.path === "/api/v5/trade/order");
      assert.equal(lookups.length, 1, "looked up once by client id before deciding");
      assert.equal(lookups[0].query.clOrdId, id);
    });
  }
  await t.step("still failing after every retry: unsent, never resent", async () => {
    await using s = await liveSetup();
    await s.broker.reconcile();
    s.okx.failNext({ status: 503, count: 20, on: "place" });
    assert.ok(s.broker.submit(order("tr-2"), T0).ok);
    await s.broker.flush();
    assert.equal((await s.journal.byClientId("tr-2"))!.status, "intent", "unclear: left as intent");
    assert.equal(s.broker.openOrders().length, 1);
    await s.broker.poll();
    assert.equal((await s.journal.byClientId("tr-2"))!.status, "not_sent");
    assert.equal(s.broker.refusals()[0].code, "not_sent");
    assert.equal(s.okx.placed(exchangeClientId("tr-2")), 0);
    assert.deepEqual(s.broker.openOrders(), []);
  });
});

Deno.test("a duplicate client id is refused and nothing is sent twice", async () => {
  await using s = await liveSetup();
  await s.broker.reconcile();
  s.broker.onBar(SYM, bar(T0, 40_000));
  const req = {
    clientId: "dup-1",
    symbol: SYM,
    side: "buy" as const,
    type: "market" as const,
    size: { kind: "qty" as const, qty: 0.001 },
  };
  assert.ok(s.broker.submit(req, T0).ok);
  const again = s.broker.submit(req, T0);
  assert.ok(!again.ok && again.code === "duplicate_client_id");
  await s.broker.flush();
  assert.equal(s.okx.placed(exchangeClientId("dup-1")), 1);
});

Deno.test("cancel: a resting order is cancelled at the exchange and leaves the book", async () => {
  await using s = await liveSetup();
  await s.broker.reconcile();
  const res = s.broker.submit({
    clientId: "cx-1",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 39_000,
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(res.ok);
  await s.broker.flush();
  near(s.okx.balance("USDT").frozen, 390, "the limit freezes its quote");
  assert.ok(s.broker.cancel(res.orderId));
  assert.ok(!s.broker.cancel(res.orderId), "only once");
  assert.deepEqual(s.broker.openOrders(), []);
  await s.broker.flush();
  assert.equal(s.okx.order(res.orderId)!.state, "canceled");
  assert.equal((await s.journal.byClientId("cx-1"))!.status, "cancelled");
  // cancelled before it was sent: it never leaves the process
  const queued = s.broker.submit({
    clientId: "cx-2",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 39_000,
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(queued.ok && s.broker.cancel(queued.orderId));
  await s.broker.flush();
  assert.equal(s.okx.placed(queued.orderId), 0);
  assert.equal(await s.journal.byClientId("cx-2"), undefined);
});

Deno.test("a resting limit filled by the exchange is reported by the next onBar", async () => {
  await using s = await liveSetup();
  await s.broker.reconcile();
  const res = s.broker.submit({
    clientId: "lm-1",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 39_000,
    size: { kind: "qty", qty: 0.01 },
  }, T0);
  assert.ok(res.ok);
  await s.broker.poll();
  assert.deepEqual(s.broker.onBar(SYM, bar(T0, 39_500)), []);
  s.okx.fillOrder(res.orderId, { qty: 0.004 });
  await s.broker.poll();
  const part = s.broker.onBar(SYM, bar(T0 + MIN, 39_200));
  assert.deepEqual(part.map((f) => [f.qty, f.price, f.liquidity]), [[0.004, 39_000, "maker"]]);
  near(s.broker.openOrders()[0].qty, 0.006, "remaining");
  s.okx.setPrice(SYM, 38_990);
  await s.broker.poll();
  const rest = s.broker.onBar(SYM, bar(T0 + 2 * MIN, 38_990));
  assert.deepEqual(rest.map((f) => [f.qty, f.price]), [[0.006, 39_000]]);
  assert.deepEqual(s.broker.openOrders(), []);
  near(s.broker.position(SYM)!.qty, 0.01 * (1 - 0.0008), "net of the maker fee in BTC");
  near(s.broker.equity(), 10_000 - 0.01 * 39_000 * 0.0008 - 0.01 * 0.9992 * 10, "marked to 38990");
});

Deno.test("wrong keys: start-up fails with a ConfigError that names no key", async () => {
  await using s = await liveSetup();
  const cases = [
    { keys: { ...KEYS, apiKey: "wrong-key-123" }, says: /Invalid OK-ACCESS-KEY/ },
    { keys: { ...KEYS, secret: "not-the-secret-0001" }, says: /Invalid Sign/ },
    { keys: { ...KEYS, password: "wrong-pass-77" }, says: /PASSPHRASE incorrect/ },
  ];
  for (const c of cases) {
    const logs: string[] = [];
    const b = new CcxtBroker(s.client(c.keys), {
      journal: s.journal,
      pollIntervalMs: 0,
      retry: { attempts: 2, sleep: () => Promise.resolve() },
      log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, fields })),
    });
    const err = await b.reconcile().then(() => undefined, (e: Error) => e);
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /OKX refused the API keys/);
    assert.match(err.message, c.says);
    for (const v of [...Object.values(c.keys), ...Object.values(KEYS)]) {
      assert.ok(!err.message.includes(v), `no key in the message: ${err.message}`);
      assert.ok(!logs.join("\n").includes(v), "no key in the logs");
    }
    const refused = b.submit({
      clientId: "k-1",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.001 },
    }, T0);
    assert.ok(!refused.ok && refused.code === "not_started", "nothing is sent without a start");
    await b.close();
  }
  assert.equal(s.okx.orderLog.length, 0);
});
