// Tests for the rule order: with every rule violated, lifting violations one by one in order
// shows each rule's refusal in turn (the first refusal wins).

import assert from "node:assert/strict";
import type { RiskConfigInput } from "../../src/risk/config.ts";
import { ENTRY_RULES } from "../../src/risk/gate.ts";
import { ctx, type CtxPatch, decide, pos, T0 } from "./support.ts";

/** One violation per rule, in rule order: a config and context that make that rule refuse. */
const VIOLATIONS: { code: string; config?: RiskConfigInput; ctx?: CtxPatch }[] = [
  { code: "kill_switch", ctx: { killSwitch: true } },
  { code: "invalid_context", ctx: { balance: NaN } },
  { code: "drawdown_suspended", config: { maxDrawdown: 0.1 }, ctx: { peakEquity: 20_000 } },
  { code: "daily_loss_limit", config: { dailyLossLimit: 0.05 }, ctx: { dayStartEquity: 11_000 } },
  { code: "max_trades_per_day", config: { maxTradesPerDay: 1 }, ctx: { tradesToday: 1 } },
  { code: "cooldown", config: { cooldownMs: 60_000 }, ctx: { lastLoss: { ts: T0 - 1000 } } },
  { code: "max_open_positions", ctx: { openPositions: [pos({ symbol: "ETH/USDT" })] } },
  { code: "min_confidence", config: { minConfidence: 0.9 }, ctx: { signal: { confidence: 0.5 } } },
  { code: "stop_required", config: { requireStop: true }, ctx: { signal: { sl: undefined } } },
  { code: "min_reward_risk", config: { minRewardRisk: 3 } }, // the signal has no target
  { code: "sizing", ctx: { signal: { sl: 102 } } },
  { code: "max_leverage", ctx: { leverage: 5 } },
  { code: "max_notional", config: { maxNotional: 100 } }, // caps, never refuses
];

/** Config and context with the violations from index `from` on; earlier rules' patches win. */
function build(from: number): { config: RiskConfigInput; c: ReturnType<typeof ctx> } {
  let config: RiskConfigInput = {};
  let patch: CtxPatch = {};
  for (const v of VIOLATIONS.slice(from).reverse()) {
    config = { ...config, ...v.config };
    patch = { ...patch, ...v.ctx, signal: { ...patch.signal, ...v.ctx?.signal } };
  }
  return { config, c: ctx(patch) };
}

Deno.test("rule order: ENTRY_RULES lists every rule, in the documented order", () => {
  assert.deepEqual(ENTRY_RULES, VIOLATIONS.map((v) => v.code));
});

Deno.test("rule order: the first refusal wins, rule by rule", () => {
  const seen: string[] = [];
  for (let i = 0; i < VIOLATIONS.length; i++) {
    const { config, c } = build(i);
    const d = decide(config, c);
    if (d.ok) {
      assert.equal(d.action, "open");
      assert.match(d.capped ?? "", /^max_notional: /);
      seen.push("max_notional");
    } else {
      seen.push(d.code);
    }
  }
  assert.deepEqual(seen, [...ENTRY_RULES]);
});
