// The live broker's submit-time checks against a position: capped exits, and a flip's opening leg.

import assert from "node:assert/strict";
import type { OrderRequest } from "../../src/core/trading.ts";
import { OrderChecks } from "../../src/live/checks.ts";
import type { LiveMarket } from "../../src/live/market.ts";
import { LiveLedger } from "../../src/live/ledger.ts";

const PERP = "BTC/USDT:USDT";

/** Checks over a ledger holding a 0.025 BTC long at 40000, all of it promised to a queued close. */
function checks(spot: boolean): OrderChecks {
  const symbol = spot ? "BTC/USDT" : PERP;
  const m: LiveMarket = {
    symbol,
    base: "BTC",
    quote: "USDT",
    spot,
    linear: !spot,
    contractSize: 1,
    rules: { tickSize: 0.1, qtyStep: 0.001, minQty: 0.001, minNotional: 5 },
    fees: { maker: 0.0002, taker: 0.0005 },
    exitsAsTriggers: true,
    takeProfitMarket: !spot,
  };
  const leverage = spot ? 1 : 3;
  const ledger = new LiveLedger();
  ledger.restart(1000);
  ledger.portfolio.open(symbol, "long", 0.025, 40_000, 0, 0, leverage);
  ledger.setMark(symbol, 40_000);
  ledger.add({
    id: "twclose",
    clientId: "close",
    exchangeClientId: "twclose",
    symbol,
    side: "sell",
    type: "market",
    qty: 0.025,
    reduceOnly: true,
    role: "order",
    algo: false,
    createdTs: 0,
    status: "queued",
    filled: 0,
    netFilled: 0,
    cancelWanted: false,
  });
  return new OrderChecks({
    markets: { market: (s) => s === symbol ? m : undefined },
    ledger,
    clientIds: { known: () => false },
    label: "Test",
    derivatives: true,
    leverage,
  });
}

const sell = (symbol: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  clientId: "open",
  symbol,
  side: "sell",
  type: "market",
  size: { kind: "equity", fraction: 0.5 },
  ...extra,
});

Deno.test("OrderChecks: on contracts a flip's opening leg opens the other side", () => {
  const res = checks(false).check(sell(PERP, { leverage: 3 }), true);
  assert.ok(res.ok, JSON.stringify(res));
  assert.equal(res.order.reduceOnly, false, "it opens a short once the close has filled");
  assert.equal(res.order.qty, 0.012, "sized on equity, not capped at the promised long");
});

Deno.test("OrderChecks: a reduce-only order, or a spot sell, still finds nothing to reduce", () => {
  const reduce = checks(false).check(sell(PERP, { reduceOnly: true }), true);
  assert.deepEqual([reduce.ok, !reduce.ok && reduce.code], [false, "nothing_to_reduce"]);
  const spot = checks(true).check(sell("BTC/USDT"), true);
  assert.deepEqual([spot.ok, !spot.ok && spot.code], [false, "nothing_to_reduce"]);
});
