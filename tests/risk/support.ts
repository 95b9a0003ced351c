// Shared fixtures for the risk tests: a baseline context, positions, and a one-call gate.

import type { PositionView, Signal } from "../../src/core/trading.ts";
import { RiskGate } from "../../src/risk/gate.ts";
import type { RiskConfigInput } from "../../src/risk/config.ts";
import type { Decision, RiskContext } from "../../src/risk/types.ts";

/** 2024-01-02 12:00 UTC: "now" in every baseline context. */
export const T0 = Date.UTC(2024, 0, 2, 12);
/** Milliseconds in a minute and an hour. */
export const MIN = 60_000;
export const HOUR = 3_600_000;

/** Overrides of a context; `signal` fields merge into the baseline signal. */
export type CtxPatch = Partial<Omit<RiskContext, "signal">> & { signal?: Partial<Signal> };

/**
 * A flat, healthy account (equity = balance = peak = day start = 10 000, price 100, no fee,
 * leverage 1, direction long) receiving a market long signal with confidence 1, then `patch`.
 */
export function ctx(patch: CtxPatch = {}): RiskContext {
  const { signal, ...rest } = patch;
  return {
    ts: T0,
    symbol: "BTC/USDT",
    price: 100,
    signal: { side: "long", confidence: 1, reason: "test signal", ...signal },
    equity: 10_000,
    balance: 10_000,
    peakEquity: 10_000,
    dayStartEquity: 10_000,
    openPositions: [],
    tradesToday: 0,
    killSwitch: false,
    direction: "long",
    leverage: 1,
    takerFee: 0,
    ...rest,
  };
}

/** An open position (long 2 BTC/USDT at 95 entered an hour before T0), then `patch`. */
export function pos(patch: Partial<PositionView> = {}): PositionView {
  return {
    symbol: "BTC/USDT",
    side: "long",
    qty: 2,
    entryPrice: 95,
    entryTs: T0 - HOUR,
    leverage: 1,
    liquidationPrice: NaN,
    ...patch,
  };
}

/** A context holding `p` as this symbol's position (and in openPositions), then `patch`. */
export function ctxWith(p: PositionView, patch: CtxPatch = {}): RiskContext {
  return ctx({ position: p, openPositions: [p], ...patch });
}

/** Evaluates `c` with a fresh gate built from `config`. */
export function decide(config: RiskConfigInput, c: RiskContext): Decision {
  return new RiskGate(config).evaluate(c);
}
