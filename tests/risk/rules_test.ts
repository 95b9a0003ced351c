// Tests for each entry rule: table rows of context and config with the exact code and reason.

import assert from "node:assert/strict";
import { parseRiskConfig, type RiskConfigInput } from "../../src/risk/config.ts";
import { cooldown } from "../../src/risk/cooldown.ts";
import { dailyLoss } from "../../src/risk/daily_loss.ts";
import { maxTradesPerDay } from "../../src/risk/max_trades_per_day.ts";
import { rewardRisk } from "../../src/risk/reward_risk.ts";
import { ctx, type CtxPatch, decide, HOUR, pos, T0 } from "./support.ts";

interface Row {
  name: string;
  config?: RiskConfigInput;
  ctx?: CtxPatch;
  /** Expected refusal; undefined when the entry must be approved. */
  code?: string;
  reason?: string;
}

const ROWS: Row[] = [
  { name: "baseline long passes", code: undefined },
  // kill_switch
  {
    name: "kill switch on",
    ctx: { killSwitch: true },
    code: "kill_switch",
    reason: "the kill switch is on: no new entries (exits are still allowed)",
  },
  // invalid_context
  {
    name: "NaN equity is refused, not compared",
    config: { maxDrawdown: 0.1, dailyLossLimit: 0.05 },
    ctx: { equity: NaN },
    code: "invalid_context",
    reason: "cannot judge an entry on equity NaN (expected finite numbers, prices and equity " +
      "above 0, confidence 0..1, takerFee 0..1)",
  },
  {
    name: "confidence outside 0..1 and a negative stop",
    ctx: { signal: { confidence: 1.5, sl: -1 } },
    code: "invalid_context",
    reason: "cannot judge an entry on signal confidence 1.5, signal sl -1 (expected finite " +
      "numbers, prices and equity above 0, confidence 0..1, takerFee 0..1)",
  },
  // drawdown_suspended
  {
    name: "drawdown exactly at the maximum suspends",
    config: { maxDrawdown: 0.1 },
    ctx: { equity: 9000, dayStartEquity: 9000 },
    code: "drawdown_suspended",
    reason: "new entries are suspended since 2024-01-02T12:00:00.000Z: drawdown 10% from the " +
      "peak 10000 (equity 9000) reached the maximum 10%; resume trading to lift it",
  },
  {
    name: "drawdown just under the maximum passes",
    config: { maxDrawdown: 0.1 },
    ctx: { equity: 9001, dayStartEquity: 9001 },
  },
  // daily_loss_limit
  {
    name: "daily loss at the limit",
    config: { dailyLossLimit: 0.05 },
    ctx: { equity: 9500, peakEquity: 12_000 },
    code: "daily_loss_limit",
    reason: "daily loss 5% (equity 9500, at 00:00 UTC 10000) reached the limit 5%; entries are " +
      "allowed again from 2024-01-03T00:00:00.000Z",
  },
  {
    name: "daily loss under the limit passes",
    config: { dailyLossLimit: 0.05 },
    ctx: { equity: 9501 },
  },
  {
    name: "next UTC day: the new dayStartEquity resets the loss",
    config: { dailyLossLimit: 0.05 },
    ctx: { ts: Date.UTC(2024, 0, 3, 0, 1), equity: 9500, dayStartEquity: 9600 },
  },
  // max_trades_per_day
  {
    name: "trades today at the maximum",
    config: { maxTradesPerDay: 3 },
    ctx: { tradesToday: 3 },
    code: "max_trades_per_day",
    reason: "3 entries today reached the maximum 3 per UTC day; entries are allowed again from " +
      "2024-01-03T00:00:00.000Z",
  },
  {
    name: "trades today under the maximum",
    config: { maxTradesPerDay: 3 },
    ctx: { tradesToday: 2 },
  },
  // cooldown
  {
    name: "in the cooldown",
    config: { cooldownMs: HOUR },
    ctx: { lastLoss: { ts: T0 - HOUR / 2 } },
    code: "cooldown",
    reason: "cooling down after a losing exit at 2024-01-02T11:30:00.000Z: no new entry until " +
      "2024-01-02T12:30:00.000Z (30m left of 1h)",
  },
  {
    name: "one ms before the cooldown ends",
    config: { cooldownMs: HOUR },
    ctx: { lastLoss: { ts: T0 - HOUR + 1 } },
    code: "cooldown",
    reason: "cooling down after a losing exit at 2024-01-02T11:00:00.001Z: no new entry until " +
      "2024-01-02T12:00:00.001Z (0.001s left of 1h)",
  },
  {
    name: "exactly at the cooldown end is allowed",
    config: { cooldownMs: HOUR },
    ctx: { lastLoss: { ts: T0 - HOUR } },
  },
  // max_open_positions
  {
    name: "one position elsewhere, maximum 1",
    ctx: { openPositions: [pos({ symbol: "ETH/USDT", qty: 1, entryPrice: 2000 })] },
    code: "max_open_positions",
    reason: "1 position is open (ETH/USDT), the maximum is 1",
  },
  {
    name: "two positions elsewhere, maximum 2",
    config: { maxOpenPositions: 2, maxLeverage: 3 },
    ctx: {
      leverage: 3,
      openPositions: [
        pos({ symbol: "ETH/USDT", qty: 1, entryPrice: 2000 }),
        pos({ symbol: "SOL/USDT", qty: 10, entryPrice: 100 }),
      ],
    },
    code: "max_open_positions",
    reason: "2 positions are open (ETH/USDT, SOL/USDT), the maximum is 2",
  },
  {
    name: "one position elsewhere, maximum 2",
    config: { maxOpenPositions: 2 },
    ctx: { openPositions: [pos({ symbol: "ETH/USDT", qty: 1, entryPrice: 2000 })] },
  },
  // min_confidence
  {
    name: "confidence below the minimum",
    config: { minConfidence: 0.6 },
    ctx: { signal: { confidence: 0.4 } },
    code: "min_confidence",
    reason: "confidence 0.4 is below the minimum 0.6",
  },
  {
    name: "confidence equal to the minimum",
    config: { minConfidence: 0.6 },
    ctx: { signal: { confidence: 0.6 } },
  },
  // stop_required
  {
    name: "requireStop in equity mode",
    config: { requireStop: true },
    code: "stop_required",
    reason: "a stop-loss is required (requireStop), and the signal has none",
  },
  {
    name: "risk mode requires a stop by default",
    config: { sizeMode: "risk" },
    code: "stop_required",
    reason: "risk sizing needs a stop-loss, and the signal has none",
  },
  { name: "equity mode needs no stop by default", config: {}, ctx: { signal: { tp: 110 } } },
  // min_reward_risk
  {
    name: "reward:risk below the minimum (market entry measured from price)",
    config: { minRewardRisk: 3 },
    ctx: { signal: { sl: 98, tp: 103.6 } },
    code: "min_reward_risk",
    reason: "reward:risk 1.8 is below the minimum 3 (entry 100, stop 98, target 103.6)",
  },
  {
    name: "reward:risk exactly at the minimum passes",
    config: { minRewardRisk: 3 },
    ctx: { signal: { sl: 98, tp: 106 } },
  },
  {
    name: "reward:risk at the minimum up to float noise passes (limit entry)",
    config: { minRewardRisk: 3 },
    ctx: { signal: { entry: 100.1, sl: 99.1, tp: 103.1 } },
  },
  {
    name: "short reward:risk below the minimum",
    config: { minRewardRisk: 3 },
    ctx: { direction: "short", signal: { side: "short", sl: 102, tp: 95 } },
    code: "min_reward_risk",
    reason: "reward:risk 2.5 is below the minimum 3 (entry 100, stop 102, target 95)",
  },
  {
    name: "reward:risk needs a target",
    config: { minRewardRisk: 3 },
    ctx: { signal: { sl: 98 } },
    code: "min_reward_risk",
    reason: "reward:risk needs a stop-loss and a target (minimum 3); the signal has no target",
  },
  {
    name: "reward:risk needs both",
    config: { minRewardRisk: 3 },
    code: "min_reward_risk",
    reason: "reward:risk needs a stop-loss and a target (minimum 3); the signal has no " +
      "stop-loss and target",
  },
  {
    name: "a stop on the wrong side is left to sizing",
    config: { minRewardRisk: 3 },
    ctx: { signal: { sl: 101, tp: 130 } },
    code: "sizing",
    reason: "stop 101 is above the entry 100 of a long: it must be below",
  },
  // sizing
  {
    name: "long stop above the entry",
    config: { sizeMode: "risk" },
    ctx: { signal: { sl: 102 } },
    code: "sizing",
    reason: "stop 102 is above the entry 100 of a long: it must be below",
  },
  {
    name: "short stop below the entry",
    ctx: { direction: "short", signal: { side: "short", sl: 98 } },
    code: "sizing",
    reason: "stop 98 is below the entry 100 of a short: it must be above",
  },
  {
    name: "stop at the entry: zero distance",
    config: { sizeMode: "risk" },
    ctx: { signal: { sl: 100 } },
    code: "sizing",
    reason: "stop 100 is at the entry 100: the stop distance is zero",
  },
  {
    name: "limit entry: stop measured against the limit price",
    config: { sizeMode: "risk" },
    ctx: { signal: { entry: 97, sl: 98 } },
    code: "sizing",
    reason: "stop 98 is above the entry 97 of a long: it must be below",
  },
  {
    name: "long target below the entry",
    ctx: { signal: { tp: 99 } },
    code: "sizing",
    reason: "target 99 is not above the entry 100 of a long",
  },
  // max_leverage
  {
    name: "account leverage above the maximum",
    ctx: { leverage: 5 },
    code: "max_leverage",
    reason:
      "leverage 5x is above the maximum 1x; lower the account's leverage or raise maxLeverage",
  },
  {
    name: "positions elsewhere use all the room",
    config: { maxOpenPositions: 2 },
    ctx: { openPositions: [pos({ symbol: "ETH/USDT", qty: 5, entryPrice: 2000 })] },
    code: "max_leverage",
    reason: "positions open in other symbols are worth 10000 (1x of equity 10000), the maximum " +
      "is 1x: no room for a new position",
  },
  {
    name: "leverage within the maximum",
    config: { maxLeverage: 3 },
    ctx: { leverage: 3 },
  },
];

for (const row of ROWS) {
  Deno.test(`risk rule: ${row.name}`, () => {
    const d = decide(row.config ?? {}, ctx(row.ctx));
    if (row.code === undefined) {
      assert.equal(d.ok, true, d.ok ? "" : `refused ${d.code}: ${d.reason}`);
      return;
    }
    assert.deepEqual(d, { ok: false, code: row.code, reason: row.reason });
  });
}

Deno.test("risk rule: each rule is a plain function of (ctx, config)", () => {
  const config = parseRiskConfig({ cooldownMs: HOUR, maxTradesPerDay: 2, dailyLossLimit: 0.05 });
  assert.equal(cooldown(ctx({ lastLoss: { ts: T0 - HOUR } }), config), undefined);
  assert.equal(cooldown(ctx({ lastLoss: { ts: T0 - 1 } }), config)?.code, "cooldown");
  assert.equal(maxTradesPerDay(ctx({ tradesToday: 2 }), config)?.code, "max_trades_per_day");
  assert.equal(dailyLoss(ctx({ equity: 9499 }), config)?.code, "daily_loss_limit");
  assert.equal(dailyLoss(ctx({ equity: 9499, dayStartEquity: 9499 }), config), undefined);
  assert.equal(rewardRisk("long", 100, 98, 106), 3);
  assert.equal(rewardRisk("short", 100, 102, 94), 3);
  assert.equal(rewardRisk("long", 100, 101, 106), undefined);
});
