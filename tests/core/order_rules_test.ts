// Order rules: rounding to tick and step, minimum refusals with their values, margin, sizing
// formulas and request validation.

import assert from "node:assert/strict";
import type { MarketRules, OrderRequest } from "../../src/core/trading.ts";
import {
  checkMargin,
  checkMinimums,
  floorToStep,
  num,
  resolveQty,
  roundToTick,
  validateRequest,
} from "../../src/core/order_rules.ts";

const RULES: MarketRules = { tickSize: 0.05, qtyStep: 0.001, minQty: 0.002, minNotional: 5 };

Deno.test("floorToStep rounds down, without float noise", () => {
  assert.equal(floorToStep(1.23456, 0.001), 1.234);
  assert.equal(floorToStep(0.3, 0.1), 0.3); // 0.3 / 0.1 = 2.9999999999999996
  assert.equal(floorToStep(0.0004, 0.001), 0);
  assert.equal(floorToStep(7.5, 0), 7.5);
  assert.equal(floorToStep(12345.678, 1), 12345);
});

Deno.test("roundToTick rounds down or up to the tick", () => {
  assert.equal(roundToTick(100.07, 0.05, "down"), 100.05);
  assert.equal(roundToTick(100.07, 0.05, "up"), 100.1);
  assert.equal(roundToTick(100.1, 0.05, "up"), 100.1);
  assert.equal(roundToTick(0.30000000000000004, 0.1, "up"), 0.3);
  assert.equal(roundToTick(99.99, 0, "down"), 99.99);
});

Deno.test("num prints values without float noise", () => {
  assert.equal(num(0.1 + 0.2), "0.3");
  assert.equal(num(1000.2), "1000.2");
  assert.equal(num(NaN), "NaN");
});

Deno.test("min quantity refusal names the quantity, the rounding and the minimum", () => {
  const r = checkMinimums("BTC/USDT", RULES, { raw: 0.0015, qty: 0.001, price: 100 });
  assert.equal(r?.code, "min_qty");
  assert.equal(
    r?.reason,
    "Quantity 0.0015 for BTC/USDT rounds down to 0.001 at step 0.001, below the exchange minimum 0.002; raise the size.",
  );
  const plain = checkMinimums("BTC/USDT", RULES, { raw: 0.001, qty: 0.001, price: 100 });
  assert.equal(
    plain?.reason,
    "Quantity 0.001 for BTC/USDT is below the exchange minimum 0.002; raise the size.",
  );
  const none = { ...RULES, minQty: 0 };
  assert.match(
    checkMinimums("X", none, { raw: 0.0004, qty: 0, price: 100 })!.reason,
    /rounds down to 0 .* nothing/,
  );
});

Deno.test("min notional refusal names notional, quantity, price and minimum", () => {
  const r = checkMinimums("BTC/USDT", RULES, { raw: 0.01, qty: 0.01, price: 100 });
  assert.equal(r?.code, "min_notional");
  assert.equal(
    r?.reason,
    "Notional 1 (0.01 × 100) for BTC/USDT is below the exchange minimum 5; raise the size.",
  );
  assert.equal(
    checkMinimums("BTC/USDT", RULES, { raw: 0.01, qty: 0.01, price: 100, reduceOnly: true }),
    null,
  ); // reduce-only
  assert.equal(checkMinimums("BTC/USDT", RULES, { raw: 0.01, qty: 0.01, price: NaN }), null); // price unknown yet
  assert.equal(checkMinimums("BTC/USDT", RULES, { raw: 0.05, qty: 0.05, price: 100 }), null);
});

Deno.test("margin refusal names what is needed and what is available", () => {
  assert.equal(
    checkMargin("BTC/USDT", {
      qty: 10,
      price: 100,
      leverage: 1,
      feeRate: 0.0002,
      available: 1000.2,
    }),
    null,
  );
  const r = checkMargin("BTC/USDT", {
    qty: 10,
    price: 100,
    leverage: 1,
    feeRate: 0.0002,
    available: 1000,
  });
  assert.equal(r?.code, "insufficient_margin");
  assert.equal(
    r?.reason,
    "Insufficient margin for BTC/USDT: opening 10 at 100 needs 1000.2 (margin 1000 at 1x + fee 0.2) " +
      "but 1000 is available; reduce the size or raise the leverage.",
  );
  assert.equal(
    checkMargin("BTC/USDT", { qty: 40, price: 100, leverage: 5, feeRate: 0.0005, available: 802 }),
    null,
  );
});

Deno.test("resolveQty: fixed, equity fraction and risk formulas", () => {
  assert.equal(resolveQty({ kind: "qty", qty: 3 }, 100, 1e4, 0.0005), 3);
  assert.equal(
    resolveQty({ kind: "equity", fraction: 0.5 }, 123.45, 10_000, 0.0005),
    0.5 * 10_000 / (123.45 * (1 + 0.0005)),
  );
  assert.equal(resolveQty({ kind: "risk", fraction: 0.01, stop: 95 }, 100, 10_000, 0.0005), 20);
  assert.equal(resolveQty({ kind: "risk", fraction: 0.01, stop: 105 }, 100, 10_000, 0.0005), 20);
});

const base: OrderRequest = {
  clientId: "c1",
  symbol: "BTC/USDT",
  side: "buy",
  type: "market",
  size: { kind: "qty", qty: 1 },
};

Deno.test("validateRequest refuses malformed orders naming the field", () => {
  assert.equal(validateRequest(base), null);
  const bad: [Partial<OrderRequest>, RegExp][] = [
    [{ clientId: "" }, /non-empty clientId/],
    [{ size: { kind: "qty", qty: 0 } }, /quantity 0 is not a positive number/],
    [{ size: { kind: "equity", fraction: -1 } }, /fraction -1/],
    [{ size: { kind: "risk", fraction: 0.01, stop: NaN } }, /risk stop NaN/],
    [{ type: "limit" }, /limit order needs a positive price/],
    [{ type: "stop_market" }, /needs a positive stopPrice/],
    [{ type: "trailing_stop", trailFraction: 1.5 }, /trailFraction 1.5/],
    [{ leverage: 0.5 }, /leverage 0.5/],
    [{ visibleQty: 0 }, /visibleQty 0/],
    [{ reduceOnly: true, bracket: { sl: 90 } }, /cannot carry a bracket/],
    [{ bracket: { tp: -5 } }, /bracket tp -5/],
  ];
  for (const [patch, re] of bad) {
    const r = validateRequest({ ...base, ...patch } as OrderRequest);
    assert.equal(r?.code, "invalid_order", JSON.stringify(patch));
    assert.match(r!.reason, re);
  }
});
