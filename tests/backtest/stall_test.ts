// A run that stops trading says why: the warning names the quiet share and the refusals after it.

import assert from "node:assert/strict";
import { stallWarning } from "../../src/backtest/stall.ts";
import type { Decision } from "../../src/engine/decisions.ts";
import type { Trade } from "../../src/core/trading.ts";

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const trade = (entryDay: number, exitDay: number): Trade => ({
  symbol: "SYN/USDT",
  side: "long",
  entry_ts: T0 + entryDay * DAY,
  exit_ts: T0 + exitDay * DAY,
  qty: 1,
  entry_price: 100,
  exit_price: 101,
  fees: 0.2,
  funding: 0,
  pnl: 0.8,
  exit_reason: "signal",
});
const decision = (day: number, outcome: Decision["outcome"], code: string): Decision => ({
  ts: T0 + day * DAY,
  symbol: "SYN/USDT",
  signal: { side: "long", confidence: 1, reason: "r" },
  outcome,
  code,
  reason: code,
  orders: [],
});

Deno.test("a run that stopped trading early is named, with the refusals after its last trade", () => {
  const decisions = [decision(1, "order", "open"), decision(2, "order", "close")];
  for (let d = 3; d < 100; d++) decisions.push(decision(d, "refused", "already_in_position"));
  decisions.push(decision(50, "refused", "cooldown"));
  const w = stallWarning({
    first_ts: T0,
    last_ts: T0 + 100 * DAY,
    trades: [trade(1, 2)],
    open_position: null,
    decisions,
  });
  assert.equal(
    w,
    "No trade in the last 98 % of the run (since 2024-01-03T00:00:00.000Z): 98 signals were " +
      "refused or cancelled after it, most as already_in_position (97), cooldown (1).",
  );
});

Deno.test("a run that traded to the end, or went quiet without signals, gives no warning", () => {
  const base = { first_ts: T0, last_ts: T0 + 100 * DAY, open_position: null };
  assert.equal(stallWarning({ ...base, trades: [trade(1, 90)], decisions: [] }), undefined);
  assert.equal(stallWarning({ ...base, trades: [trade(1, 2)], decisions: [] }), undefined);
  assert.equal(
    stallWarning({ ...base, first_ts: null, last_ts: null, trades: [], decisions: [] }),
    undefined,
  );
});
