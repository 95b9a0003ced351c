// The risk gate: routes a signal (exit, close, flip, open) and runs the entry rules in order.

import type { Direction, PositionSide, PositionView, Refusal, Signal } from "../core/trading.ts";
import { maxLeverage, maxNotional } from "./caps.ts";
import { parseRiskConfig, type RiskConfig, type RiskConfigInput } from "./config.ts";
import { contextCheck } from "./context_check.ts";
import { cooldown } from "./cooldown.ts";
import { dailyLoss } from "./daily_loss.ts";
import { killSwitch } from "./kill_switch.ts";
import { maxDrawdown, suspendedRefusal, type Suspension } from "./max_drawdown.ts";
import { maxOpenPositions } from "./max_open_positions.ts";
import { maxTradesPerDay } from "./max_trades_per_day.ts";
import { minConfidence } from "./min_confidence.ts";
import { num } from "./numbers.ts";
import { timedOut } from "./position_timeout.ts";
import { minRewardRisk } from "./reward_risk.ts";
import { type SizedEntry, sizing } from "./sizing.ts";
import { stopRequired } from "./stop_required.ts";
import {
  type ClosePlan,
  type Decision,
  type OpenPlan,
  refuse,
  type RiskCode,
  type RiskContext,
  type RiskRule,
} from "./types.ts";

/** A check-only entry rule as the gate runs it: it also sees the current suspension. */
type GateCheck = (
  ctx: RiskContext,
  config: RiskConfig,
  suspension?: Suspension,
) => Refusal | undefined;

/** The check-only entry rules, in order, by code. */
const CHECKS: readonly (readonly [RiskCode, RiskRule | GateCheck])[] = [
  ["kill_switch", killSwitch],
  ["invalid_context", contextCheck],
  ["drawdown_suspended", (_ctx, _config, s) => s && suspendedRefusal(s)],
  ["daily_loss_limit", dailyLoss],
  ["max_trades_per_day", maxTradesPerDay],
  ["cooldown", cooldown],
  ["max_open_positions", maxOpenPositions],
  ["min_confidence", minConfidence],
  ["stop_required", stopRequired],
  ["min_reward_risk", minRewardRisk],
];

/** The functions of {@link CHECKS}, in order: every entry runs them (an indexed loop, no tuples). */
const CHECK_FNS: readonly GateCheck[] = CHECKS.map(([, check]) => check);

/**
 * The entry rules in the order they run; the first refusal wins and its code is the rule's name.
 * `invalid_context` is not a limit but stops unusable numbers before any limit compares them.
 * The last three shape the size: `sizing` (may refuse), `max_leverage` (refuses or caps),
 * `max_notional` (caps).
 */
export const ENTRY_RULES: readonly RiskCode[] = [
  ...CHECKS.map(([code]) => code),
  "sizing",
  "max_leverage",
  "max_notional",
];

/** What a gate must remember across restarts (store it; pass it back to the constructor). */
export interface RiskGateState {
  suspension?: Suspension;
  /**
   * After `resume()`: drawdown is measured from the high since resuming (`peak`) until equity
   * makes a new all-time peak above `allTimePeak`; "next" until the first check after resuming.
   */
  baseline?: { peak: number; allTimePeak: number } | "next";
}

/** Options of a {@link RiskGate}. */
export interface RiskGateOptions {
  /** State saved from an earlier gate (default: not suspended). */
  state?: RiskGateState;
}

/**
 * The risk gate: pure decisions from a {@link RiskContext}, plus the drawdown suspension state.
 *
 * @example
 * ```ts
 * const gate = new RiskGate({ sizeMode: "risk", size: 0.01, minRewardRisk: 3, maxDrawdown: 0.2 });
 * const d = gate.evaluate(ctx);
 * if (!d.ok) record(d.code, d.reason);
 * ```
 */
export class RiskGate {
  /** The validated config, defaults filled in. */
  readonly config: RiskConfig;
  #state: RiskGateState;

  /** Validates `config` (throws a ConfigError naming each bad field). */
  constructor(config: RiskConfigInput = {}, options: RiskGateOptions = {}) {
    this.config = parseRiskConfig(config);
    this.#state = structuredClone(options.state ?? {});
  }

  /**
   * Decides on a signal:
   * 1. exit: a close plan when there is a position (no rule can block it), else `no_position`;
   * 2. same side as the position: `already_in_position`;
   * 3. a side `direction` disables: closes an opposite position, else `direction` (the one
   *    place the run's `direction` is enforced: strategies signal both sides);
   * 4. an entry (flat: open; opposite position with direction "both": flip) runs
   *    {@link ENTRY_RULES} in order: kill_switch, invalid_context, drawdown_suspended,
   *    daily_loss_limit, max_trades_per_day, cooldown, max_open_positions, min_confidence,
   *    stop_required, min_reward_risk, sizing, max_leverage, max_notional. The first refusal
   *    wins; a refused flip still closes (a close plan with `openRefused`).
   */
  evaluate(ctx: RiskContext): Decision {
    this.observe(ctx);
    const { signal, position } = ctx;
    if (signal.side === "exit") {
      return position
        ? closePlan(position, signal, [])
        : refuse("no_position", `no open position in ${ctx.symbol} to exit`);
    }
    const side = signal.side;
    if (position?.side === side) {
      return refuse(
        "already_in_position",
        `already ${side} ${ctx.symbol} (qty ${num(position.qty)} at ${num(position.entryPrice)})`,
      );
    }
    if (ctx.direction !== "both" && ctx.direction !== side) {
      if (!position) {
        return refuse("direction", `${side} entries are disabled: direction is ${ctx.direction}`);
      }
      return closePlan(position, signal, [disabledNote(side, ctx.direction, position.side)]);
    }
    const entry = this.#entry(ctx);
    if (!position) return entry;
    if (!entry.ok) {
      return closePlan(position, signal, [
        `the ${side} side of the flip was refused (${entry.code}): only the ${position.side} is closed`,
      ], entry);
    }
    return {
      ...entry,
      action: "flip",
      close: { side: position.side, qty: position.qty },
      notes: [
        `flip: close the ${position.side} (qty ${num(position.qty)}) first, then open the ${side}`,
        ...entry.notes,
      ],
    };
  }

  /**
   * Updates the drawdown suspension from equity now; the engine may call it on every candle so
   * a drawdown between signals is not missed (`evaluate` calls it too). Returns the suspension.
   */
  observe(ctx: Pick<RiskContext, "ts" | "equity" | "peakEquity">): Suspension | undefined {
    if (this.#state.suspension || this.config.maxDrawdown === undefined) {
      return this.#state.suspension;
    }
    if (!Number.isFinite(ctx.equity) || !Number.isFinite(ctx.peakEquity)) return undefined;
    let b = this.#state.baseline;
    if (b === "next") b = this.#state.baseline = { peak: ctx.equity, allTimePeak: ctx.peakEquity };
    if (b && ctx.peakEquity > b.allTimePeak) b = this.#state.baseline = undefined;
    if (b) b.peak = Math.max(b.peak, ctx.equity);
    const hit = maxDrawdown(ctx, this.config, b ? b.peak : ctx.peakEquity, b !== undefined);
    if (hit) this.#state.suspension = { since: ctx.ts, reason: hit.reason };
    return this.#state.suspension;
  }

  /** Why and since when new entries are suspended (max drawdown), or undefined. */
  suspended(): Suspension | undefined {
    const s = this.#state.suspension;
    return s && { ...s };
  }

  /**
   * Lifts the suspension. Drawdown is then measured from the equity at the next check (and the
   * highs after it) until equity makes a new all-time peak, so resuming is not undone at once.
   * Does nothing when not suspended.
   */
  resume(): void {
    if (!this.#state.suspension) return;
    this.#state = { baseline: "next" };
  }

  /** True when `position` is due to be closed with exit reason "timeout" at `ts`. */
  timedOut(position: Pick<PositionView, "entryTs">, ts: number): boolean {
    return timedOut(position, ts, this.config);
  }

  /** A copy of the state to store, for a gate restarted later. */
  state(): RiskGateState {
    return structuredClone(this.#state);
  }

  #entry(ctx: RiskContext): OpenPlan | Refusal {
    const c = this.config;
    const suspension = this.#state.suspension;
    for (let k = 0; k < CHECK_FNS.length; k++) {
      const refusal = CHECK_FNS[k](ctx, c, suspension);
      if (refusal) return refusal;
    }
    const sized = sizing(ctx, c);
    if (!sized.ok) return sized;
    const levered = maxLeverage(ctx, c, sized);
    if (!levered.ok) return levered;
    return openPlan(maxNotional(ctx, c, levered), ctx.signal);
  }
}

/** The plan of an entry that passed every rule; optional fields only when set. */
function openPlan(e: SizedEntry, signal: Signal): OpenPlan {
  // Fields are added one by one, in the order of OpenPlan, rather than spread in: every entry
  // builds a plan, and each spread made and copied a small object.
  const p = {
    ok: true,
    action: "open",
    side: e.side,
    size: e.size,
    entryType: e.entryType,
  } as OpenPlan;
  if (e.entryType === "limit") p.entryPrice = e.estimate.price;
  if (signal.sl !== undefined) p.sl = signal.sl;
  if (signal.tp !== undefined) p.tp = signal.tp;
  if (signal.slPct !== undefined) p.slPct = signal.slPct;
  if (signal.tpPct !== undefined) p.tpPct = signal.tpPct;
  if (e.capped.length) p.capped = e.capped.join("; ");
  p.estimate = e.estimate;
  p.signalReason = signal.reason;
  p.notes = e.capped.length ? [...e.notes, ...e.capped] : e.notes;
  return p;
}

/** Notes of {@link disabledNote}, by combination (see there). */
const DISABLED_NOTES: (string | undefined)[] = [];

/**
 * The note of a `side` signal that `direction` disables and that closes a `held` position.
 * Made once per combination: a strategy that trades one direction exits with it every time.
 */
function disabledNote(side: PositionSide, direction: Direction, held: PositionSide): string {
  const k = (side === "long" ? 0 : 6) + (direction === "long" ? 0 : direction === "short" ? 2 : 4) +
    (held === "long" ? 0 : 1);
  return DISABLED_NOTES[k] ??=
    `${side} entries are disabled (direction is ${direction}): the ${side} signal closes the ${held}`;
}

/** A plan closing the whole `position` for `signal`. */
function closePlan(
  position: PositionView,
  signal: Signal,
  notes: string[],
  openRefused?: Refusal,
): ClosePlan {
  const plan: ClosePlan = {
    ok: true,
    action: "close",
    side: position.side,
    qty: position.qty,
    exitReason: "signal",
    signalReason: signal.reason,
    notes,
  };
  if (openRefused) plan.openRefused = openRefused;
  return plan;
}
