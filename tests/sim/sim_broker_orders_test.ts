// SimBroker order book: deterministic ids, views with OCO links, cancels, icebergs with brackets,
// several symbols, the allocation-free idle bar, determinism and a year of 1m candles for speed.

import assert from "node:assert/strict";
import { allocColumns, type Candle } from "../../src/core/candles.ts";
import type { OrderRequest } from "../../src/core/trading.ts";
import { SimBroker } from "../../src/sim/sim_broker.ts";
import { k } from "../support.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1, 1);
const t = (i: number) => T0 + i * H;
const b = (i: number, o: number, h = o + 1, l = o - 1, c = o): Candle => k(t(i), o, h, l, c, 1);

function req(clientId: string, r: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientId,
    symbol: "BTC/USDT",
    side: "buy",
    type: "market",
    size: { kind: "qty", qty: 1 },
    ...r,
  };
}

Deno.test("ids are `${idPrefix}${n}`; bracket legs get the next ids and OCO links", () => {
  const br = new SimBroker({ cash: 10_000, idPrefix: "bt-" });
  br.onBar("BTC/USDT", b(0, 100));
  assert.deepEqual(br.submit(req("a", { bracket: { sl: 95, tp: 110 } }), t(0)), {
    ok: true,
    orderId: "bt-1",
  });
  const pending = br.openOrders()[0];
  assert.equal(pending.qty, 1);
  br.onBar("BTC/USDT", b(1, 100));
  const [sl, tp] = br.openOrders("BTC/USDT");
  assert.deepEqual(
    [sl.id, sl.clientId, sl.type, sl.stopPrice, sl.reduceOnly, sl.ocoWith],
    ["bt-2", "a:sl", "stop_market", 95, true, "bt-3"],
  );
  assert.deepEqual([tp.id, tp.clientId, tp.type, tp.price, tp.ocoWith], [
    "bt-3",
    "a:tp",
    "limit",
    110,
    "bt-2",
  ]);
  const p = br.position("BTC/USDT")!;
  assert.deepEqual([p.sl, p.tp, p.entryTs], [95, 110, t(1)]);
  assert.ok(br.cancel("bt-3"));
  assert.equal(br.cancel("bt-3"), false);
  assert.equal(br.openOrders()[0].ocoWith, undefined);
  assert.equal(br.position("BTC/USDT")!.tp, undefined);
  const fill = br.closePosition("BTC/USDT", 100, t(2), "manual")!;
  assert.equal(fill.orderId, "bt-4");
});

Deno.test("a price-dependent size shows NaN until it fills", () => {
  const br = new SimBroker({ cash: 10_000 });
  br.submit(req("e", { type: "limit", price: 90, size: { kind: "equity", fraction: 0.1 } }), t(0));
  assert.ok(Number.isNaN(br.openOrders()[0].qty));
});

Deno.test("cancelAll(symbol) leaves other symbols alone", () => {
  const br = new SimBroker({ cash: 10_000 });
  br.submit(req("x", { type: "limit", price: 90 }), t(0));
  br.submit(req("y", { symbol: "ETH/USDT", type: "limit", price: 90 }), t(0));
  br.cancelAll("BTC/USDT");
  assert.deepEqual(br.openOrders().map((o) => o.clientId), ["y"]);
  br.cancelAll();
  assert.equal(br.openOrders().length, 0);
});

Deno.test("iceberg entry: bracket legs grow with each slice; a leg firing ends the entry", () => {
  const br = new SimBroker({ cash: 10_000 });
  br.onBar("BTC/USDT", b(0, 100));
  br.submit(
    req("ice", { size: { kind: "qty", qty: 3 }, visibleQty: 1, bracket: { sl: 95 } }),
    t(0),
  );
  br.onBar("BTC/USDT", b(1, 100));
  const leg = () => br.openOrders().find((o) => o.clientId === "ice:sl")!;
  assert.equal(leg().qty, 1);
  br.onBar("BTC/USDT", b(2, 100));
  assert.equal(leg().qty, 2);
  const fills = br.onBar("BTC/USDT", b(3, 96, 97, 94, 95)); // slice 3 at the open, then the stop
  assert.deepEqual(fills.map((f) => [f.side, f.qty, f.price, f.exitReason]), [
    ["buy", 1, 96, undefined],
    ["sell", 3, 95, "sl"],
  ]);
  assert.equal(br.openOrders().length, 0);
  assert.equal(br.position("BTC/USDT"), undefined);
});

Deno.test("equity sums unrealised P&L over symbols at their own marks", () => {
  const br = new SimBroker({ cash: 10_000, fees: { maker: 0, taker: 0 } });
  br.onBar("BTC/USDT", b(0, 100));
  br.onBar("ETH/USDT", b(0, 50));
  br.submit(req("b1"), t(0));
  br.submit(req("e1", { symbol: "ETH/USDT", side: "sell", size: { kind: "qty", qty: 2 } }), t(0));
  br.onBar("BTC/USDT", b(1, 100, 111, 99, 110));
  br.onBar("ETH/USDT", b(1, 50, 51, 44, 45));
  assert.equal(br.equity(), 10_000 + 10 + 10);
  assert.equal(br.balance(), 10_000);
});

Deno.test("an idle bar returns one shared frozen empty array", () => {
  const br = new SimBroker({ cash: 1 });
  const a = br.onBar("BTC/USDT", b(0, 100));
  const c = br.onBar("BTC/USDT", b(1, 100));
  assert.equal(a, c);
  assert.ok(Object.isFrozen(a));
  assert.equal(a.length, 0);
});

/** `n` one-minute candles of a deterministic wave. */
function year(n: number) {
  const c = allocColumns(n);
  let p = 30_000;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = o * (1 + Math.sin(i * 0.0137) * 0.0008 + Math.sin(i * 0.37) * 0.0005);
    c.ts[i] = T0 + i * 60_000;
    c.open[i] = o;
    c.close[i] = p;
    c.high[i] = Math.max(o, p) * 1.0004;
    c.low[i] = Math.min(o, p) * 0.9996;
  }
  return c;
}

/** Runs a bracket strategy over `c`; returns the broker. */
function backtest(c: ReturnType<typeof year>) {
  const br = new SimBroker({ cash: 10_000, slippageBps: 1, leverage: 2 });
  const bar: Candle = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let id = 0;
  for (let i = 0; i < c.ts.length; i++) {
    bar.ts = c.ts[i];
    bar.open = c.open[i];
    bar.high = c.high[i];
    bar.low = c.low[i];
    bar.close = c.close[i];
    br.onBar("BTC/USDT", bar);
    if (i % 1000 === 0 && br.position("BTC/USDT") === undefined) {
      const px = c.close[i];
      br.submit(
        req(`r${++id}`, {
          side: id % 2 ? "buy" : "sell",
          size: { kind: "equity", fraction: 0.5 },
          bracket: id % 2
            ? { sl: px * 0.99, tp: px * 1.015 }
            : { sl: px * 1.01, tp: px * 0.985, trailFraction: 0.008 },
        }),
        bar.ts,
      );
    }
  }
  return { br };
}

Deno.test("a year of 1m candles with hundreds of trades is deterministic", () => {
  const c = year(525_600);
  const { br } = backtest(c);
  const again = backtest(c).br;
  assert.ok(br.trades().length >= 300, `trades: ${br.trades().length}`);
  assert.deepEqual(again.fills(), br.fills());
  assert.equal(again.equity(), br.equity());
});
