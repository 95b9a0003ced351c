// SimBroker accounting: fees on every fill, slippage direction, exchange rounding and refusals,
// partial closes, a flip, and sizing by equity fraction and by risk.

import assert from "node:assert/strict";
import type { Candle } from "../../src/core/candles.ts";
import type { OrderRequest } from "../../src/core/trading.ts";
import { SimBroker, type SimBrokerOptions } from "../../src/sim/sim_broker.ts";
import { k } from "../support.ts";

const SYM = "BTC/USDT";
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1, 1);
const t = (i: number) => T0 + i * H;
const b = (i: number, o: number, h = o + 1, l = o - 1, c = o): Candle => k(t(i), o, h, l, c, 1);
const near = (a: number, e: number, what = "value") =>
  assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${what}: got ${a}, expected ${e}`);

let n = 0;
/** A market buy of 1 unless `req` says otherwise. */
function order(req: Partial<OrderRequest>): OrderRequest {
  return {
    clientId: `c${++n}`,
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 1 },
    ...req,
  };
}

function broker(opts: Partial<SimBrokerOptions> = {}): SimBroker {
  return new SimBroker({ cash: 100_000, ...opts });
}

/** Submits and asserts acceptance. */
function submit(br: SimBroker, req: Partial<OrderRequest>, ts: number): string {
  const r = br.submit(order(req), ts);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.orderId;
}

Deno.test("every fill pays its fee; the trade's pnl is net of entry and exit fees", () => {
  const br = broker();
  br.onBar(SYM, b(0, 100));
  submit(br, { size: { kind: "qty", qty: 2 }, bracket: { tp: 110 } }, t(0));
  const f1 = br.onBar(SYM, b(1, 100, 101, 99, 100));
  const f2 = br.onBar(SYM, b(2, 105, 111, 104, 110));
  near(f1[0].fee, 0.1, "taker entry fee");
  near(f2[0].fee, 2 * 110 * 0.0002, "maker exit fee");
  const [tr] = br.trades();
  near(tr.fees, 0.1 + 0.044, "trade fees");
  near(tr.pnl, 20 - 0.144, "trade pnl");
  assert.equal(tr.exit_reason, "tp");
  near(br.costs().fees, 0.144, "costs");
  near(br.balance(), 100_000 + 19.856, "balance");
  near(br.equity(), br.balance(), "equity when flat");
  assert.equal(br.fills().length, 2);
});

Deno.test("equity marks the open position to the last close", () => {
  const br = broker();
  br.onBar(SYM, b(0, 100));
  submit(br, { size: { kind: "qty", qty: 2 } }, t(0));
  br.onBar(SYM, b(1, 100, 104, 99, 103));
  near(br.balance(), 100_000 - 0.1);
  near(br.equity(), 100_000 - 0.1 + 6);
});

Deno.test("slippage is against the trader, including on closePosition", () => {
  const br = broker({ slippageBps: 20 });
  br.onBar(SYM, b(0, 100));
  submit(br, { side: "sell" }, t(0));
  const [entry] = br.onBar(SYM, b(1, 100));
  near(entry.price, 99.8, "short entry lower");
  submit(br, { side: "buy", type: "limit", price: 90 }, t(1));
  const exit = br.closePosition(SYM, 100, t(1) + 1, "kill_switch")!;
  near(exit.price, 100.2, "short exit higher");
  assert.equal(exit.exitReason, "kill_switch");
  assert.equal(exit.liquidity, "taker");
  near(exit.fee, 100.2 * 0.0005);
  assert.equal(br.openOrders().length, 0, "closePosition cancels the symbol's orders");
  assert.equal(br.closePosition(SYM, 100, t(2), "manual"), undefined);
  near(br.trades()[0].pnl, 99.8 - 100.2 - 99.8 * 0.0005 - 100.2 * 0.0005);
});

const RULES = { [SYM]: { tickSize: 0.05, qtyStep: 0.001, minQty: 0.002, minNotional: 5 } };

Deno.test("prices round to the tick conservatively and quantities down to the step", () => {
  const br = broker({ rules: RULES });
  const id = (r: Partial<OrderRequest>) => submit(br, r, t(0));
  const ids = [
    id({ type: "limit", price: 100.07, size: { kind: "qty", qty: 1.23456 } }),
    id({ type: "limit", side: "sell", price: 100.07 }),
    id({ type: "stop_market", stopPrice: 100.07 }),
    id({ type: "stop_market", side: "sell", stopPrice: 100.07 }),
  ];
  const views = br.openOrders(SYM);
  assert.deepEqual(views.map((v) => v.id), ids);
  assert.equal(views[0].price, 100.05); // buy limit down
  assert.equal(views[0].qty, 1.234);
  assert.equal(views[1].price, 100.1); // sell limit up
  assert.equal(views[2].stopPrice, 100.1); // buy stop up
  assert.equal(views[3].stopPrice, 100.05); // sell stop down
  br.cancelAll();
  // bracket levels round as exits: a long's stop down, its take-profit up
  br.onBar(SYM, b(0, 100));
  submit(br, { bracket: { sl: 95.03, tp: 110.02 } }, t(0));
  br.onBar(SYM, b(1, 100));
  const p = br.position(SYM)!;
  assert.equal(p.sl, 95);
  assert.equal(p.tp, 110.05);
});

Deno.test("refusals at submit: min quantity, min notional, insufficient margin", () => {
  const br = broker({ cash: 1000, rules: RULES });
  br.onBar(SYM, b(0, 100));
  const qty = br.submit(order({ size: { kind: "qty", qty: 0.0015 } }), t(0));
  assert.deepEqual(qty, {
    ok: false,
    code: "min_qty",
    reason:
      "Quantity 0.0015 for BTC/USDT rounds down to 0.001 at step 0.001, below the exchange minimum 0.002; raise the size.",
  });
  const notional = br.submit(order({ size: { kind: "qty", qty: 0.01 } }), t(0));
  assert.deepEqual(notional, {
    ok: false,
    code: "min_notional",
    reason: "Notional 1 (0.01 × 100) for BTC/USDT is below the exchange minimum 5; raise the size.",
  });
  const margin = br.submit(
    order({ type: "limit", price: 100, size: { kind: "qty", qty: 10 } }),
    t(0),
  );
  assert.deepEqual(margin, {
    ok: false,
    code: "insufficient_margin",
    reason: "Insufficient margin for BTC/USDT: opening 10 at 100 needs 1000.2 " +
      "(margin 1000 at 1x + fee 0.2) but 1000 is available; reduce the size or raise the leverage.",
  });
  assert.equal(br.openOrders().length, 0);
});

Deno.test("refusals at fill: a resolved size too small, or no margin at the fill price", () => {
  const br = broker({ cash: 1000, rules: RULES });
  // no bar seen yet: the market order's price is unknown at submit, so margin waits for the fill
  const big = submit(br, { size: { kind: "qty", qty: 20 } }, t(0));
  const tiny = submit(br, { size: { kind: "equity", fraction: 0.0001 } }, t(0));
  assert.deepEqual(br.onBar(SYM, b(0, 100)), []);
  const rs = br.refusals();
  assert.deepEqual(rs.map((r) => [r.orderId, r.code]), [
    [big, "insufficient_margin"],
    [tiny, "min_qty"],
  ]);
  assert.match(rs[0].reason, /opening 20 at 100 needs 2001 .* but 1000 is available/);
  assert.match(rs[1].reason, /Quantity 0\.00099\d* for BTC\/USDT rounds down to 0 at step 0\.001/);
  assert.equal(rs[1].ts, t(0));
  assert.equal(br.openOrders().length, 0);
});

Deno.test("reduce-only without a position, duplicate client ids and bad orders are refused", () => {
  const br = broker();
  const r = br.submit(order({ side: "sell", reduceOnly: true }), t(0));
  assert.equal(!r.ok && r.code, "reduce_only");
  assert.equal(
    !r.ok && r.reason,
    `Reduce-only sell "c${n}" for BTC/USDT needs a long position to reduce; there is none.`,
  );
  const ok = br.submit(order({ clientId: "same" }), t(0));
  assert.ok(ok.ok);
  const dup = br.submit(order({ clientId: "same" }), t(0));
  assert.equal(!dup.ok && dup.code, "duplicate_client_id");
  const bad = br.submit(order({ type: "limit" }), t(0));
  assert.equal(!bad.ok && bad.code, "invalid_order");
});

Deno.test("partial close: a trade for the closed part with its share of the entry fee", () => {
  const br = broker();
  br.onBar(SYM, b(0, 100));
  submit(br, { size: { kind: "qty", qty: 2 } }, t(0));
  br.onBar(SYM, b(1, 100)); // long 2 at 100, fee 0.1
  submit(br, { side: "sell", reduceOnly: true, exitReason: "signal" }, t(1));
  const [f] = br.onBar(SYM, b(2, 110));
  assert.equal(f.exitReason, "signal");
  const [t1] = br.trades();
  assert.equal(t1.qty, 1);
  near(t1.fees, 0.05 + 0.055);
  near(t1.pnl, 10 - 0.105);
  assert.equal(br.position(SYM)!.qty, 1);
  br.closePosition(SYM, 90, t(3), "end_of_data");
  const t2 = br.trades()[1];
  near(t2.fees, 0.05 + 0.045);
  near(t2.pnl, -10 - 0.095);
  near(br.balance(), 100_000 + t1.pnl + t2.pnl);
});

Deno.test("one market order flips a long into a short", () => {
  const br = broker();
  br.onBar(SYM, b(0, 100));
  submit(br, { bracket: { sl: 90, tp: 120 } }, t(0));
  br.onBar(SYM, b(1, 100));
  submit(br, { side: "sell", size: { kind: "qty", qty: 2 }, bracket: { sl: 110 } }, t(1));
  const [f] = br.onBar(SYM, b(2, 105, 106, 104, 105));
  assert.equal(f.qty, 2);
  near(f.fee, 2 * 105 * 0.0005);
  assert.equal(f.exitReason, "signal");
  const [tr] = br.trades();
  assert.equal(tr.side, "long");
  near(tr.pnl, 5 - 0.05 - 0.0525);
  const p = br.position(SYM)!;
  assert.deepEqual([p.side, p.qty, p.entryPrice, p.sl, p.tp], ["short", 1, 105, 110, undefined]);
  // the long's legs are gone; the short's stop is live
  assert.deepEqual(br.openOrders().map((o) => [o.side, o.type, o.stopPrice]), [
    ["buy", "stop_market", 110],
  ]);
  br.closePosition(SYM, 100, t(3), "manual");
  near(br.trades()[1].pnl, 5 - 0.0525 - 0.05);
});

Deno.test("equity sizing is f * equity / (fill * (1 + taker)), rounded down to the step", () => {
  const br = broker({ cash: 10_000, slippageBps: 5, rules: RULES });
  br.onBar(SYM, b(0, 123.45));
  submit(br, { size: { kind: "equity", fraction: 0.5 } }, t(0));
  const [f] = br.onBar(SYM, b(1, 123.45));
  const fill = 123.45 * (1 + 5 / 10_000);
  near(f.price, fill);
  const want = Math.floor(0.5 * 10_000 / (fill * (1 + 0.0005)) / 0.001) * 0.001;
  near(f.qty, want, "qty");
  assert.equal(f.qty, 40.461); // 40.4617557… rounded down
  assert.equal(br.openOrders().length, 0);
});

Deno.test("equity sizing with the whole equity fits the margin, fee included", () => {
  const br = broker({ cash: 10_000 });
  br.onBar(SYM, b(0, 100));
  submit(br, { size: { kind: "equity", fraction: 1 } }, t(0));
  const [f] = br.onBar(SYM, b(1, 97.3));
  near(f.qty * f.price + f.fee, 10_000);
  assert.equal(br.refusals().length, 0);
});

Deno.test("risk sizing loses `fraction * equity` at the stop", () => {
  const br = broker({ cash: 10_000, rules: RULES });
  br.onBar(SYM, b(0, 100));
  submit(br, { size: { kind: "risk", fraction: 0.01, stop: 95 }, bracket: { sl: 95 } }, t(0));
  const [f] = br.onBar(SYM, b(1, 100));
  assert.equal(f.qty, 20);
  br.onBar(SYM, b(2, 96, 97, 94, 95));
  const sl = br.fills()[1];
  assert.equal(sl.exitReason, "sl");
  near(sl.price, 95);
  near(br.trades()[0].pnl, -100 - 20 * 100 * 0.0005 - 20 * 95 * 0.0005);
  // the fill at the stop is refused: the size would be infinite
  submit(br, { size: { kind: "risk", fraction: 0.01, stop: 90 } }, t(2));
  br.onBar(SYM, b(3, 90));
  assert.equal(br.refusals()[0].code, "invalid_size");
});
