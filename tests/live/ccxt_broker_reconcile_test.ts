// CcxtBroker start-up after a crash: reconcile() against the journal and the fake OKX.

import assert from "node:assert/strict";
import { exchangeClientId } from "../../src/live/client_order_id.ts";
import { assertNoKeys, bar, liveSetup, T0 } from "./broker_support.ts";

const SYM = "BTC/USDT";
const MIN = 60_000;
const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

const limitBuy = (clientId: string, price: number, qty: number) => ({
  clientId,
  symbol: SYM,
  side: "buy" as const,
  type: "limit" as const,
  price,
  size: { kind: "qty" as const, qty },
});

Deno.test("restart: reconcile records what reached the exchange, marks the rest not_sent, sends nothing", async () => {
  await using s = await liveSetup();
  const { okx, journal } = s;
  const a = s.broker;
  await a.reconcile();
  a.onBar(SYM, bar(T0 - MIN, 40_000));
  // X: a market buy acknowledged, whose fill the crashed process never saw
  assert.ok(
    a.submit({
      clientId: "rc-x",
      symbol: SYM,
      side: "buy",
      type: "market",
      size: { kind: "qty", qty: 0.01 },
    }, T0).ok,
  );
  // Y: a resting limit, acknowledged
  assert.ok(a.submit(limitBuy("rc-y", 39_000, 0.005), T0).ok);
  await a.flush();
  // Z: every send dropped before the exchange acted (4 attempts): left as an intent
  okx.failNext({ drop: true, count: 4, on: "place" });
  assert.ok(a.submit(limitBuy("rc-z", 38_000, 0.002), T0).ok);
  await a.flush();
  assert.equal((await journal.byClientId("rc-z"))!.status, "intent");
  // W: crashed after sending, before the ack: the journal says intent, the exchange has it
  await journal.intent({
    clientId: "rc-w",
    exchangeClientId: exchangeClientId("rc-w"),
    exchange: "okx",
    symbol: SYM,
    side: "buy",
    type: "limit",
    qty: 0.003,
    price: 38_500,
    reduceOnly: false,
    role: "order",
    algo: false,
    ts: T0,
  });
  okx.placeManual({
    symbol: SYM,
    side: "buy",
    ordType: "limit",
    sz: 0.003,
    px: 38_500,
    clOrdId: exchangeClientId("rc-w"),
  });
  // and an order the user placed on the website
  const manual = okx.placeManual({
    symbol: SYM,
    side: "buy",
    ordType: "limit",
    sz: 0.001,
    px: 30_000,
  });

  const b = s.restart();
  const before = s.fake.requests.length;
  const placedBefore = okx.orderLog.length;
  const report = await b.reconcile({ symbols: [SYM] });
  const posts = s.fake.requests.slice(before).filter((r) => r.method === "POST");
  assert.deepEqual(posts, [], "reconcile sends nothing");
  assert.equal(okx.orderLog.length, placedBefore);

  assert.deepEqual(report.acked, ["rc-w"]);
  assert.deepEqual(report.notSent, ["rc-z"]);
  assert.deepEqual(report.adopted, ["rc-y", "rc-w"]);
  assert.deepEqual(report.finished, [{ clientId: "rc-x", status: "filled" }]);
  assert.deepEqual(report.fills.map((f) => [f.clientId, f.qty, f.price]), [["rc-x", 0.01, 40_000]]);
  assert.deepEqual(report.exitsPlaced, []);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.untrackedHoldings, [], "the coins are the tracked position");
  assert.equal(report.positions.length, 1);
  near(report.positions[0].qty, 0.00999, "position from the fill learnt now");
  assert.equal(report.positions[0].entryPrice, 40_000);
  assert.deepEqual(
    report.unknownOrders.map((u) => [u.exchangeOrderId, u.side, u.qty, u.price, u.looksOurs]),
    [[manual, "buy", 0.001, 30_000, false]],
  );

  const st = async (id: string) => (await journal.byClientId(id))!;
  assert.equal((await st("rc-x")).status, "filled");
  assert.equal((await st("rc-x")).fills.length, 1);
  assert.equal((await st("rc-y")).status, "acked");
  assert.equal((await st("rc-z")).status, "not_sent");
  assert.match((await st("rc-z")).reason!, /never arrived/);
  assert.equal((await st("rc-w")).status, "acked");
  assert.equal((await st("rc-w")).exchangeOrderId, okx.order(exchangeClientId("rc-w"))!.id);

  assert.deepEqual(b.openOrders().map((o) => o.clientId), ["rc-y", "rc-w"]);
  near(
    b.balance(),
    okx.balance("USDT").total + 0.00999 * 40_000,
    "quote balance plus the position at cost",
  );
  assert.deepEqual(
    b.onBar(SYM, bar(T0, 40_000)),
    [],
    "fills learnt at start-up are in the report only",
  );
  for (const id of ["rc-x", "rc-z"]) {
    const again = b.submit(limitBuy(id, 38_000, 0.002), T0);
    assert.ok(!again.ok && again.code === "duplicate_client_id", `${id} is never sent again`);
  }

  // the adopted orders keep working
  okx.fillOrder(exchangeClientId("rc-y"));
  await b.poll();
  const fills = b.onBar(SYM, bar(T0 + MIN, 39_000));
  assert.deepEqual(fills.map((f) => [f.clientId, f.qty, f.price, f.liquidity]), [[
    "rc-y",
    0.005,
    39_000,
    "maker",
  ]]);
  assert.equal((await st("rc-y")).status, "filled");
  near(b.position(SYM)!.qty, 0.00999 + 0.005 * 0.9992, "both entries");
  assert.ok(b.cancel(exchangeClientId("rc-w")));
  await b.flush();
  assert.equal(okx.order(exchangeClientId("rc-w"))!.state, "canceled");
  assert.equal(okx.placed(exchangeClientId("rc-z")), 0);
  // a later process that does not track rc-x any more: the journal still stops a resend
  const c = s.restart();
  await c.reconcile();
  c.onBar(SYM, bar(T0 + 2 * MIN, 39_000));
  assert.ok(c.submit(limitBuy("rc-x", 38_000, 0.002), T0).ok, "not known to this process");
  await c.flush();
  assert.equal(c.refusals()[0].code, "duplicate_client_id");
  assert.match(c.refusals()[0].reason, /already in the journal; it is never sent twice/);
  assert.equal(okx.placed(exchangeClientId("rc-x")), 1);
  assertNoKeys(JSON.stringify([s.logs, report, journal.all()]));
});

Deno.test("restart: an entry filled while away gets its exits; adopted exits keep their OCO", async (t) => {
  const entry = {
    clientId: "bx-1",
    symbol: SYM,
    side: "buy" as const,
    type: "market" as const,
    size: { kind: "qty" as const, qty: 0.01 },
    bracket: { sl: 39_000, tp: 42_000 },
  };
  await t.step("entry filled while away: exits placed after reconcile", async () => {
    await using s = await liveSetup();
    await s.broker.reconcile();
    s.broker.onBar(SYM, bar(T0, 40_000));
    assert.ok(s.broker.submit(entry, T0).ok);
    await s.broker.flush(); // acked; the process dies before it polls
    const b = s.restart();
    const report = await b.reconcile();
    assert.deepEqual(report.finished, [{ clientId: "bx-1", status: "filled" }]);
    assert.deepEqual(report.exitsPlaced, ["bx-1:sl", "bx-1:tp"]);
    await b.flush();
    assert.equal(s.okx.order(exchangeClientId("bx-1:sl"))!.state, "live");
    s.okx.setPrice(SYM, 38_900);
    await b.poll();
    assert.equal(s.okx.order(exchangeClientId("bx-1:tp"))!.state, "canceled");
    const [tr] = b.trades();
    assert.deepEqual([tr.entry_price, tr.exit_price, tr.exit_reason], [40_000, 38_900, "sl"]);
    near(b.balance(), s.okx.balance("USDT").total, "ledger = exchange once flat");
  });
  await t.step(
    "exits placed before the crash: adopted, the target fill cancels the stop",
    async () => {
      await using s = await liveSetup();
      await s.broker.reconcile();
      s.broker.onBar(SYM, bar(T0, 40_000));
      assert.ok(s.broker.submit(entry, T0).ok);
      await s.broker.poll(); // filled, exits sent
      const b = s.restart();
      const report = await b.reconcile();
      assert.deepEqual(report.adopted, ["bx-1:sl", "bx-1:tp"]);
      assert.deepEqual(report.exitsPlaced, []);
      const view = b.position(SYM)!;
      assert.deepEqual([view.entryPrice, view.sl, view.tp], [40_000, 39_000, 42_000]);
      const legs = b.openOrders(SYM);
      assert.equal(legs[0].ocoWith, legs[1].id);
      s.okx.setPrice(SYM, 42_100);
      await b.poll();
      assert.equal(s.okx.order(exchangeClientId("bx-1:sl"))!.state, "canceled");
      assert.equal(b.onBar(SYM, bar(T0 + MIN, 42_100))[0].exitReason, "tp");
      assert.equal(b.position(SYM), undefined);
      assert.equal(s.okx.placed(exchangeClientId("bx-1:sl")), 1);
    },
  );
  await t.step("the stop filled while away: the target is cancelled after reconcile", async () => {
    await using s = await liveSetup();
    await s.broker.reconcile();
    s.broker.onBar(SYM, bar(T0, 40_000));
    assert.ok(s.broker.submit(entry, T0).ok);
    await s.broker.poll();
    s.okx.setPrice(SYM, 38_900); // the process is down: nobody cancels the target
    const b = s.restart();
    const before = s.fake.requests.length;
    const placed = s.okx.orderLog.length;
    const report = await b.reconcile();
    await b.flush();
    assert.equal(s.okx.orderLog.length, placed, "no order is sent");
    assert.deepEqual(
      s.fake.requests.slice(before).filter((r) => r.method === "POST").map((r) => r.path),
      ["/api/v5/trade/cancel-algos"],
      "only the cancel of the orphaned target",
    );
    assert.deepEqual(report.finished, [{ clientId: "bx-1:sl", status: "filled" }]);
    assert.deepEqual(report.exitsCancelled, ["bx-1:tp"]);
    assert.deepEqual(report.positions, []);
    assert.deepEqual(b.trades().map((x) => [x.exit_price, x.exit_reason]), [[38_900, "sl"]]);
    assert.equal(s.okx.order(exchangeClientId("bx-1:tp"))!.state, "canceled");
    assert.deepEqual(b.openOrders(), []);
  });
  await t.step("a position without exits at restart: reported, not adopted", async () => {
    await using s = await liveSetup();
    await s.broker.reconcile();
    s.broker.onBar(SYM, bar(T0, 40_000));
    assert.ok(s.broker.submit({ ...entry, clientId: "bx-2", bracket: undefined }, T0).ok);
    await s.broker.poll();
    const b = s.restart();
    const report = await b.reconcile({ symbols: [SYM, "ETH/USDT"] });
    assert.deepEqual(report.positions, []);
    assert.deepEqual(report.untrackedHoldings, [{ symbol: SYM, qty: 0.00999 }]);
    assert.equal(b.position(SYM), undefined, "the bot never sells coins it cannot account for");
  });
});
