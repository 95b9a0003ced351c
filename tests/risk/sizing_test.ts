// Tests for sizing and caps: estimateQty arithmetic, the plan's size and estimate, and capping.

import assert from "node:assert/strict";
import type { OrderSize, Signal } from "../../src/core/trading.ts";
import type { RiskConfigInput } from "../../src/risk/config.ts";
import { estimateQty } from "../../src/risk/sizing.ts";
import type { OpenPlan } from "../../src/risk/types.ts";
import { ctx, type CtxPatch, decide, pos } from "./support.ts";
import { noteText } from "../../src/risk/sizing_note.ts";

Deno.test("estimateQty: exact numbers per size kind", () => {
  const rows: { size: OrderSize; price: number; equity: number; fee: number; qty: number }[] = [
    { size: { kind: "equity", fraction: 1 }, price: 100, equity: 10_010, fee: 0.001, qty: 100 },
    { size: { kind: "equity", fraction: 0.5 }, price: 200, equity: 10_000, fee: 0, qty: 25 },
    {
      size: { kind: "risk", fraction: 0.01, stop: 98 },
      price: 100,
      equity: 10_000,
      fee: 0.001,
      qty: 50,
    },
    {
      size: { kind: "risk", fraction: 0.02, stop: 104 },
      price: 100,
      equity: 10_000,
      fee: 0,
      qty: 50,
    },
    { size: { kind: "qty", qty: 3 }, price: 100, equity: 10_000, fee: 0.001, qty: 3 },
  ];
  for (const r of rows) {
    assert.equal(estimateQty({ size: r.size }, r.price, r.equity, r.fee), r.qty, JSON.stringify(r));
  }
});

interface Row {
  name: string;
  config: RiskConfigInput;
  ctx: CtxPatch;
  size: OrderSize;
  estimate: { price: number; qty: number; notional: number };
  capped?: string;
  entryType?: "market" | "limit";
}

const ROWS: Row[] = [
  {
    name: "equity mode default: all equity, fee included",
    config: {},
    ctx: { equity: 10_010, takerFee: 0.001 },
    size: { kind: "equity", fraction: 1 },
    estimate: { price: 100, qty: 100, notional: 10_000 },
  },
  {
    name: "risk mode: 1 % over a 2-point stop",
    config: { sizeMode: "risk" },
    ctx: { signal: { sl: 98 } },
    size: { kind: "risk", fraction: 0.01, stop: 98 },
    estimate: { price: 100, qty: 50, notional: 5000 },
  },
  {
    name: "risk mode, short: stop above",
    config: { sizeMode: "risk", size: 0.02 },
    ctx: { direction: "short", signal: { side: "short", sl: 104 } },
    size: { kind: "risk", fraction: 0.02, stop: 104 },
    estimate: { price: 100, qty: 50, notional: 5000 },
  },
  {
    name: "limit entry: sized at the limit price",
    config: { sizeMode: "risk" },
    ctx: { signal: { entry: 99, sl: 98 } },
    size: { kind: "risk", fraction: 0.01, stop: 98 },
    estimate: { price: 99, qty: 100, notional: 9900 },
    entryType: "limit",
  },
  {
    name: "risk mode with a tight stop: capped at 1x leverage",
    config: { sizeMode: "risk" },
    ctx: { signal: { sl: 99.5 } },
    size: { kind: "equity", fraction: 1 },
    estimate: { price: 100, qty: 100, notional: 10_000 },
    capped: "max_leverage: notional 20000 (fee included 2x of equity 10000) is above the maximum " +
      "1x: capped to notional 10000; the size becomes an equity fraction",
  },
  {
    name: "risk mode at 3x allowed and set: not capped",
    config: { sizeMode: "risk", maxLeverage: 3 },
    ctx: { leverage: 3, signal: { sl: 99.5 } },
    size: { kind: "risk", fraction: 0.01, stop: 99.5 },
    estimate: { price: 100, qty: 200, notional: 20_000 },
  },
  {
    name: "account leverage below maxLeverage limits the room",
    config: { sizeMode: "risk", maxLeverage: 3 },
    ctx: { leverage: 2, signal: { sl: 99.8 } },
    size: { kind: "equity", fraction: 2 },
    estimate: { price: 100, qty: 200, notional: 20_000 },
    capped: "max_leverage: notional 50000 (fee included 5x of equity 10000) is above the maximum " +
      "2x (the account's leverage): capped to notional 20000; the size becomes an equity fraction",
  },
  {
    name: "positions in other symbols take part of the room",
    config: { maxOpenPositions: 2 },
    ctx: { openPositions: [pos({ symbol: "ETH/USDT", qty: 2, entryPrice: 2000 })] },
    size: { kind: "equity", fraction: 0.6 },
    estimate: { price: 100, qty: 60, notional: 6000 },
    capped: "max_leverage: notional 10000 (fee included 1.4x of equity 10000 with 4000 open in " +
      "other symbols) is above the maximum 1x: capped to notional 6000",
  },
  {
    name: "max notional caps an equity entry",
    config: { maxNotional: 2500 },
    ctx: { equity: 10_010, takerFee: 0.001 },
    size: { kind: "equity", fraction: 0.25 },
    estimate: { price: 100, qty: 25, notional: 2500 },
    capped: "max_notional: notional 10000 is above the maximum 2500: capped to notional 2500",
  },
  {
    name: "max notional exactly reached: not capped",
    config: { maxNotional: 10_000 },
    ctx: {},
    size: { kind: "equity", fraction: 1 },
    estimate: { price: 100, qty: 100, notional: 10_000 },
  },
  {
    name: "both caps: leverage first, then notional",
    config: { sizeMode: "risk", maxNotional: 5000 },
    ctx: { signal: { sl: 99.5 } },
    size: { kind: "equity", fraction: 0.5 },
    estimate: { price: 100, qty: 50, notional: 5000 },
    capped: "max_leverage: notional 20000 (fee included 2x of equity 10000) is above the maximum " +
      "1x: capped to notional 10000; the size becomes an equity fraction; max_notional: notional " +
      "10000 is above the maximum 5000: capped to notional 5000",
  },
];

for (const row of ROWS) {
  Deno.test(`sizing: ${row.name}`, () => {
    const d = decide(row.config, ctx(row.ctx));
    assert.ok(d.ok && d.action === "open", JSON.stringify(d));
    const plan = d as OpenPlan;
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    const { fraction, ...rest } = plan.size as { fraction?: number };
    const { fraction: wantFraction, ...wantRest } = row.size as { fraction?: number };
    assert.deepEqual(rest, wantRest);
    assert.ok(close(fraction ?? NaN, wantFraction ?? NaN), `fraction ${fraction}`);
    for (const k of ["price", "qty", "notional"] as const) {
      assert.ok(close(plan.estimate[k], row.estimate[k]), `${k}: ${plan.estimate[k]}`);
    }
    assert.equal(plan.capped, row.capped);
    assert.equal(plan.entryType, row.entryType ?? "market");
    assert.equal(plan.entryPrice, row.entryType === "limit" ? row.estimate.price : undefined);
    // The plan's estimate is estimateQty on its own size.
    const c = ctx(row.ctx);
    assert.equal(plan.estimate.qty, estimateQty(plan, plan.estimate.price, c.equity, c.takerFee));
  });
}

Deno.test("sizing: the approved plan carries the bracket, reason and notes", () => {
  const d = decide(
    { sizeMode: "risk", minRewardRisk: 3 },
    ctx({ balance: 9000, signal: { sl: 98, tp: 106, reason: "breakout" } }),
  );
  // notes are sentences for people: the sizing note is written when read (String)
  assert.deepEqual(d.ok ? { ...d, notes: d.notes.map(noteText) } : d, {
    ok: true,
    action: "open",
    side: "long",
    size: { kind: "risk", fraction: 0.01, stop: 98 },
    entryType: "market",
    sl: 98,
    tp: 106,
    estimate: { price: 100, qty: 50, notional: 5000 },
    signalReason: "breakout",
    notes: [
      "size: risk 1% of equity 10000 (100) over the stop distance 2: qty ≈ 50 (notional 5000); " +
      "balance 9000",
    ],
  });
});

Deno.test("a signal's own size (an alert's) sizes the entry instead of the settings; caps still apply", () => {
  const planOf = (size: Signal["size"], config: RiskConfigInput = {}, sl?: number) => {
    const d = decide(config, ctx({ signal: { size, ...(sl !== undefined ? { sl } : {}) } }));
    assert.ok(d.ok && "size" in d, JSON.stringify(d));
    return d as OpenPlan;
  };
  assert.deepEqual(planOf({ kind: "qty", qty: 3 }).size, { kind: "qty", qty: 3 });
  assert.deepEqual(planOf({ kind: "equity", fraction: 0.05 }).size, {
    kind: "equity",
    fraction: 0.05,
  });
  const quote = planOf({ kind: "quote", amount: 250 });
  assert.deepEqual(quote.size, { kind: "qty", qty: 2.5 }); // 250 at the price 100
  assert.match(noteText(quote.notes[0]), /size from the signal: 250 of the quote currency at 100/);
  // Risk mode: the signal's own size wins over the stop distance (the stop is still required).
  assert.deepEqual(planOf({ kind: "qty", qty: 1 }, { sizeMode: "risk", size: 0.01 }, 95).size, {
    kind: "qty",
    qty: 1,
  });
  for (const bad of [{ kind: "qty", qty: 0 }, { kind: "equity", fraction: 1.5 }] as const) {
    const d = decide({}, ctx({ signal: { size: bad } }));
    assert.equal(d.ok, false);
    assert.match((d as { reason: string }).reason, /the signal's size/);
  }
});
