// Pure fill rules: limit and stop prices on a candle, path reach, slippage, trailing levels,
// liquidation prices and funding times, one table row each.

import assert from "node:assert/strict";
import {
  isFundingTime,
  limitFillPrice,
  reachPrice,
  slip,
  stopTriggerPrice,
  trailingLevel,
} from "../../src/sim/fill_rules.ts";
import { liquidationPrice } from "../../src/account/portfolio.ts";

type Side = "buy" | "sell";
// [side, level, open, high, low, expected]
const LIMITS: [string, Side, number, number, number, number, number][] = [
  ["buy limit touched", "buy", 100, 103, 104, 99, 100],
  ["buy limit, open below it (gap)", "buy", 100, 98, 101, 97, 98],
  ["buy limit exactly at the low", "buy", 100, 103, 104, 100, 100],
  ["buy limit not reached", "buy", 100, 103, 104, 100.5, NaN],
  ["sell limit touched", "sell", 105, 103, 106, 102, 105],
  ["sell limit, open above it (gap)", "sell", 105, 107, 108, 104, 107],
  ["sell limit not reached", "sell", 105, 103, 104.9, 102, NaN],
];

for (const [name, side, lvl, o, h, l, want] of LIMITS) {
  Deno.test(`limitFillPrice: ${name}`, () =>
    assert.equal(limitFillPrice(side, lvl, o, h, l), want));
}

const STOPS: [string, Side, number, number, number, number, number][] = [
  ["sell stop touched", "sell", 95, 100, 101, 94, 95],
  ["sell stop gapped through", "sell", 95, 93, 96, 92, 93],
  ["sell stop not reached", "sell", 95, 100, 101, 95.5, NaN],
  ["buy stop touched", "buy", 105, 100, 106, 99, 105],
  ["buy stop gapped through", "buy", 105, 107, 108, 106, 107],
  ["buy stop not reached", "buy", 105, 100, 104, 99, NaN],
];

for (const [name, side, lvl, o, h, l, want] of STOPS) {
  Deno.test(`stopTriggerPrice: ${name}`, () => {
    assert.equal(stopTriggerPrice(side, lvl, o, h, l), want);
  });
}

Deno.test("reachPrice: a move reaches a level on its way, or at once when already beyond", () => {
  assert.equal(reachPrice(-1, 95, 100, 90), 95); // falling through
  assert.equal(reachPrice(-1, 95, 94, 90), 94); // already below
  assert.equal(reachPrice(-1, 95, 100, 96), NaN); // not far enough
  assert.equal(reachPrice(-1, 95, 100, 110), NaN); // wrong way
  assert.equal(reachPrice(1, 105, 100, 110), 105);
  assert.equal(reachPrice(1, 105, 106, 106), 106); // gap check: no movement
  assert.equal(reachPrice(1, 105, 100, 100), NaN);
});

Deno.test("slip moves buys up and sells down by basis points", () => {
  assert.equal(slip(100, "buy", 0), 100);
  assert.ok(Math.abs(slip(100, "buy", 10) - 100.1) < 1e-12);
  assert.ok(Math.abs(slip(100, "sell", 10) - 99.9) < 1e-12);
});

Deno.test("trailingLevel trails the best price and respects a fixed floor", () => {
  assert.equal(trailingLevel("sell", 110, 0.05), 104.5);
  assert.equal(trailingLevel("sell", 100, 0.05, 97), 97);
  assert.equal(trailingLevel("sell", 110, 0.05, 97), 104.5);
  assert.equal(trailingLevel("buy", 90, 0.1), 99.00000000000001);
  assert.equal(trailingLevel("buy", 100, 0.05, 103), 103);
});

Deno.test("liquidationPrice: isolated long and short; a 1x long never", () => {
  assert.ok(Math.abs(liquidationPrice("long", 100, 10, 0.005) - 90.5) < 1e-9);
  assert.ok(Math.abs(liquidationPrice("short", 100, 10, 0.005) - 109.5) < 1e-9);
  assert.ok(Math.abs(liquidationPrice("long", 200, 2, 0.01) - 102) < 1e-9);
  assert.ok(Number.isNaN(liquidationPrice("long", 100, 1, 0.005)));
  assert.ok(Math.abs(liquidationPrice("short", 100, 1, 0.005) - 199.5) < 1e-9);
});

Deno.test("funding times are 00:00, 08:00 and 16:00 UTC", () => {
  const d = Date.UTC(2024, 2, 5);
  assert.deepEqual(
    [0, 1, 7, 8, 9, 16, 23].map((h) => isFundingTime(d + h * 3_600_000)),
    [true, false, false, true, false, true, false],
  );
  assert.equal(isFundingTime(d + 8 * 3_600_000 + 60_000), false);
});
