// The run's logs kept as columns: fills and trades read back equal to what went in.

import assert from "node:assert/strict";
import type { Fill, Trade } from "../../src/core/trading.ts";
import { FillLog } from "../../src/sim/fill_log.ts";
import { TradeLog } from "../../src/account/trade_log.ts";

const fill = (orderId: string, extra: Partial<Fill> = {}): Fill => ({
  orderId,
  clientId: `c-${orderId}`,
  symbol: "BTC/USDT",
  side: "buy",
  qty: 0.123456789,
  price: 42_000.5,
  fee: 0.1 + 0.2,
  liquidity: "taker",
  ts: Date.UTC(2024, 0, 1),
  ...extra,
});

Deno.test("fill log: every field back as it went in, order ids of any shape", () => {
  const ids = ["sim-1", "sim-10", "sim-007", "sim-0", "x-5", "sim-", "sim-12a", "sim-99999999999"];
  const fills: Fill[] = ids.map((id, k) =>
    fill(id, {
      side: k % 2 ? "sell" : "buy",
      liquidity: k % 3 ? "maker" : "taker",
      symbol: k % 4 === 3 ? "ETH/USDT" : "BTC/USDT",
      qty: k + 0.5,
      ts: Date.UTC(2024, 0, 1) + k * 60_000,
    })
  );
  fills.push({ ...fill("sim-3"), exitReason: "liquidation" });
  fills.push({ ...fill("sim-4", { symbol: "SOL/USDT" }), exitReason: "manual" });
  fills.push({ ...fill("tp:BTC/USDT:1", { side: "sell" }), exitReason: "end_of_data" });
  const log = new FillLog("sim-");
  for (const f of fills.slice(0, 5)) log.push(f);
  assert.deepEqual(log.all(), fills.slice(0, 5));
  for (const f of fills.slice(5)) log.push(f);
  assert.equal(log.length, fills.length);
  assert.deepEqual(log.all(), fills);
  // the same objects on every read, with `exitReason` only where it was set
  assert.equal(log.all()[2], log.all()[2]);
  assert.ok(!("exitReason" in log.all()[0]));
});

Deno.test("trade log: trades back as they went in (copies: the objects are built when read)", () => {
  const log = new TradeLog();
  const trades: Trade[] = [];
  for (let k = 0; k < 150; k++) {
    const t: Trade = {
      symbol: k % 2 ? "ETH/USDT" : "BTC/USDT",
      side: k % 3 ? "long" : "short",
      entry_ts: 1_000 * k,
      exit_ts: 1_000 * k + 500,
      qty: 0.1 * k,
      entry_price: 100 + k,
      exit_price: 100 + k + (k % 5 === 0 ? -1 : 1),
      fees: 0.01 * k,
      funding: k % 7 === 0 ? -0.5 : 0,
      pnl: k % 5 === 0 ? -1 - k : 1 + k,
      exit_reason: k % 5 === 0 ? "sl" : "tp",
    };
    trades.push(t);
    log.trade(t);
  }
  assert.equal(log.length, 150);
  assert.deepEqual(log.trades(), trades);
  assert.equal(log.trades()[7], log.trades()[7]);
});
