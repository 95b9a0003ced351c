// SimBroker margin: leverage, isolated liquidation of longs and shorts, and funding (constant and
// series; longs pay a positive rate, shorts receive it).

import assert from "node:assert/strict";
import type { Candle } from "../../src/core/candles.ts";
import type { OrderRequest } from "../../src/core/trading.ts";
import { SimBroker, type SimBrokerOptions } from "../../src/sim/sim_broker.ts";
import { k } from "../support.ts";

const SYM = "ETH/USDT";
const H = 3_600_000;
const DAY0 = Date.UTC(2024, 0, 2);
/** Hour `h` of the test day (funding at 0, 8, 16). */
const at = (h: number) => DAY0 + h * H;
const bar = (h: number, o: number, hi = o + 1, lo = o - 1, c = o): Candle =>
  k(at(h), o, hi, lo, c, 1);
const near = (a: number, e: number, what = "value") =>
  assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${what}: got ${a}, expected ${e}`);

let n = 0;
function submit(br: SimBroker, req: Partial<OrderRequest>, ts: number): void {
  const r = br.submit({
    clientId: `m${++n}`,
    symbol: SYM,
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 1 },
    ...req,
  }, ts);
  if (!r.ok) throw new Error(r.reason);
}

const make = (o: Partial<SimBrokerOptions> = {}) => new SimBroker({ cash: 1000, ...o });

Deno.test("leverage lowers the margin an order needs", () => {
  const br = make({ leverage: 5 });
  const ok = br.submit({
    clientId: "l40",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 100,
    size: { kind: "qty", qty: 40 },
  }, at(0));
  assert.ok(ok.ok);
  const no = br.submit({
    clientId: "l50",
    symbol: SYM,
    side: "buy",
    type: "limit",
    price: 100,
    size: { kind: "qty", qty: 50 },
  }, at(0));
  assert.equal(!no.ok && no.code, "insufficient_margin");
  assert.match(!no.ok ? no.reason : "", /needs 1001 \(margin 1000 at 5x \+ fee 1\) but 1000/);
  br.onBar(SYM, bar(1, 100, 101, 99.5, 100));
  const p = br.position(SYM)!;
  assert.equal(p.leverage, 5);
  near(p.liquidationPrice, 100 * (1 - 1 / 5 + 0.005));
});

Deno.test("a 10x long is liquidated at entry * (1 - 1/10 + mmr), losing about its margin", () => {
  const br = make({ leverage: 10 });
  br.onBar(SYM, bar(1, 100));
  submit(br, { size: { kind: "qty", qty: 10 }, bracket: { tp: 120 } }, at(1));
  br.onBar(SYM, bar(2, 100));
  near(br.position(SYM)!.liquidationPrice, 90.5);
  const [f] = br.onBar(SYM, bar(3, 95, 96, 89, 90));
  assert.deepEqual([f.side, f.exitReason, f.liquidity], ["sell", "liquidation", "taker"]);
  near(f.price, 90.5);
  const [tr] = br.trades();
  near(tr.pnl, -95 - 0.5 - 10 * 90.5 * 0.0005);
  near(br.balance(), 1000 + tr.pnl);
  assert.equal(br.position(SYM), undefined);
  assert.equal(br.openOrders().length, 0, "the take-profit went with the position");
});

Deno.test("a 10x short is liquidated at entry * (1 + 1/10 - mmr)", () => {
  const br = make();
  br.onBar(SYM, bar(1, 100));
  submit(br, { side: "sell", leverage: 10 }, at(1));
  br.onBar(SYM, bar(2, 100));
  near(br.position(SYM)!.liquidationPrice, 109.5);
  br.onBar(SYM, bar(3, 101, 109, 100, 105)); // just short of it
  assert.equal(br.trades().length, 0);
  const [f] = br.onBar(SYM, bar(4, 105, 110, 104, 108));
  assert.equal(f.exitReason, "liquidation");
  near(f.price, 109.5);
  near(br.trades()[0].pnl, -9.5 - 0.05 - 109.5 * 0.0005);
});

Deno.test("a 1x long is never liquidated; adding keeps the position's leverage", () => {
  const br = make({ cash: 10_000 });
  br.onBar(SYM, bar(1, 100));
  submit(br, {}, at(1));
  br.onBar(SYM, bar(2, 100));
  assert.ok(Number.isNaN(br.position(SYM)!.liquidationPrice));
  br.onBar(SYM, bar(3, 5, 6, 1, 2));
  assert.equal(br.trades().length, 0);
  submit(br, { leverage: 3 }, at(3));
  br.onBar(SYM, bar(4, 2));
  const p = br.position(SYM)!;
  assert.deepEqual([p.qty, p.leverage, p.entryPrice], [2, 1, 51]);
});

Deno.test("constant funding: a long pays qty * open * rate at each funding time", () => {
  const br = make({ funding: { rate: 0.0001 } });
  br.onBar(SYM, bar(6, 100));
  submit(br, { size: { kind: "qty", qty: 2 } }, at(6));
  br.onBar(SYM, bar(7, 100)); // opens at 100
  br.onBar(SYM, bar(8, 101)); // pays 2 * 101 * 0.0001
  br.onBar(SYM, bar(9, 102));
  near(br.costs().funding, 0.0202);
  br.closePosition(SYM, 102, at(10), "manual");
  const [tr] = br.trades();
  near(tr.funding, 0.0202);
  near(tr.pnl, 4 - 0.1 - 0.102 - 0.0202);
  near(br.balance(), 1000 + tr.pnl);
});

Deno.test("constant funding: a short receives it", () => {
  const br = make({ funding: { rate: 0.0001 } });
  br.onBar(SYM, bar(6, 100));
  submit(br, { side: "sell", size: { kind: "qty", qty: 2 } }, at(6));
  br.onBar(SYM, bar(7, 100));
  br.onBar(SYM, bar(8, 101));
  near(br.costs().funding, -0.0202);
  near(br.balance(), 1000 - 0.1 + 0.0202);
  br.closePosition(SYM, 100, at(9), "manual");
  near(br.trades()[0].funding, -0.0202);
});

Deno.test("funding series: the latest rate at or before each funding time", () => {
  const funding = {
    ts: new Float64Array([at(0), at(12)]),
    rate: new Float64Array([0.0001, -0.0003]),
  };
  for (const side of ["buy", "sell"] as const) {
    const br = make({ funding });
    br.onBar(SYM, bar(6, 100));
    submit(br, { side }, at(6));
    for (let h = 7; h <= 17; h++) br.onBar(SYM, bar(h, 100));
    // 08:00 at 0.0001 (set at 00:00), 16:00 at -0.0003 (set at 12:00)
    const paid = 100 * 0.0001 - 100 * 0.0003;
    near(br.costs().funding, side === "buy" ? paid : -paid, side);
  }
});

Deno.test("funding: none before the series starts, none on the bar a position opens", () => {
  const br = make({ funding: { ts: new Float64Array([at(9)]), rate: new Float64Array([0.001]) } });
  br.onBar(SYM, bar(6, 100));
  submit(br, {}, at(6));
  for (let h = 7; h <= 9; h++) br.onBar(SYM, bar(h, 100)); // 08:00 is before the series
  assert.equal(br.costs().funding, 0);
  const late = make({ funding: { rate: 0.001 } });
  late.onBar(SYM, bar(7, 100));
  submit(late, {}, at(7));
  late.onBar(SYM, bar(8, 100)); // fills at this open, after funding was settled
  assert.equal(late.costs().funding, 0);
  for (let h = 9; h <= 16; h++) late.onBar(SYM, bar(h, 100));
  near(late.costs().funding, 0.1);
});

Deno.test("funding is split pro rata between partial closes", () => {
  const br = make({ funding: { rate: 0.001 } });
  br.onBar(SYM, bar(6, 100));
  submit(br, { size: { kind: "qty", qty: 2 } }, at(6));
  br.onBar(SYM, bar(7, 100));
  br.onBar(SYM, bar(8, 100)); // pays 0.2
  submit(br, { side: "sell", reduceOnly: true }, at(8));
  br.onBar(SYM, bar(9, 100));
  near(br.trades()[0].funding, 0.1);
  br.closePosition(SYM, 100, at(10), "manual");
  near(br.trades()[1].funding, 0.1);
});
