// Rule sizing: check the stop and target against the entry, then size the order (risk or equity).

import type { OrderSize, PositionSide, Refusal, SignalSize } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { num } from "./numbers.ts";
import type { Note } from "./sizing_note.ts";
import { type Estimate, levelsAt, refuse, type RiskContext } from "./types.ts";

/** An entry that passed sizing: what caps then may shrink, and what the plan is built from. */
export interface SizedEntry {
  ok: true;
  side: PositionSide;
  entryType: "market" | "limit";
  size: OrderSize;
  estimate: Estimate;
  /** One sentence per cap applied (empty when none). */
  capped: string[];
  notes: Note[];
}

/**
 * Quantity (base units) an order size comes to at `price` with `equity`, the arithmetic the
 * broker does at fill time: equity `fraction * equity / (price * (1 + takerFee))`, risk
 * `fraction * equity / |price - stop|`, qty as is.
 *
 * @example
 * ```ts
 * estimateQty({ size: { kind: "risk", fraction: 0.01, stop: 98 } }, 100, 10_000, 0.001); // 50
 * ```
 */
export function estimateQty(
  plan: { size: OrderSize },
  price: number,
  equity: number,
  takerFee: number,
): number {
  return qtyOf(plan.size, price, equity, takerFee);
}

/** The estimate of `size` at `price`: quantity and notional. */
export function estimate(size: OrderSize, price: number, equity: number, fee: number): Estimate {
  const qty = qtyOf(size, price, equity, fee);
  return { price, qty, notional: qty * price };
}

/** {@link estimateQty} of a bare size (no wrapper object for every entry). */
function qtyOf(s: OrderSize, price: number, equity: number, takerFee: number): number {
  switch (s.kind) {
    case "qty":
      return s.qty;
    case "equity":
      return (s.fraction * equity) / (price * (1 + takerFee));
    case "risk":
      return (s.fraction * equity) / Math.abs(price - s.stop);
    case "risk_pct":
      return (s.fraction * equity) / (price * s.stopPct / 100);
  }
}

/** Why the bracket (sl, tp) does not fit the entry, or undefined when it does. */
function bracketProblem(side: PositionSide, entry: number, sl?: number, tp?: number) {
  if (sl === undefined && tp === undefined) return undefined; // nothing to check
  const below = side === "long" ? "below" : "above";
  const above = side === "long" ? "above" : "below";
  const dir = side === "long" ? 1 : -1;
  if (sl !== undefined && sl === entry) {
    return `stop ${num(sl)} is at the entry ${num(entry)}: the stop distance is zero`;
  }
  if (sl !== undefined && (entry - sl) * dir < 0) {
    return `stop ${num(sl)} is ${above} the entry ${num(entry)} of a ${side}: it must be ${below}`;
  }
  if (tp !== undefined && (tp - entry) * dir <= 0) {
    return `target ${num(tp)} is not ${above} the entry ${num(entry)} of a ${side}`;
  }
  return undefined;
}

/** The `capped` of an entry no cap applied to (frozen: caps copy it into a new array). */
const NO_CAPS = Object.freeze([]) as unknown as string[];

/** Equity sizes by fraction: every entry of a run has the same one (frozen, shared). */
const EQUITY_SIZES = new Map<number, OrderSize>();

function equitySize(fraction: number): OrderSize {
  let size = EQUITY_SIZES.get(fraction);
  if (size === undefined) {
    size = Object.freeze({ kind: "equity", fraction });
    if (EQUITY_SIZES.size < 256) EQUITY_SIZES.set(fraction, size); // bounded: optimisers vary it
  }
  return size;
}

/**
 * Refuses an entry whose stop or target is on the wrong side of the entry (or at it), else
 * sizes it: `{kind: "risk", fraction: size, stop: sl}` in risk mode (`{kind: "risk_pct",
 * fraction: size, stopPct: slPct}` with a stop in percent of the fill), `{kind: "equity",
 * fraction: size}` in equity mode, with the decision-time estimate and its sizing note.
 */
export function sizing(
  ctx: RiskContext,
  config: RiskConfig,
): SizedEntry | Refusal {
  const side: PositionSide = ctx.signal.side === "short" ? "short" : "long";
  const limit = ctx.signal.entry !== undefined; // entryPoint(ctx), without its object
  const entryType = limit ? "limit" : "market";
  const price = limit ? ctx.signal.entry! : ctx.price;
  const signal = ctx.signal;
  const pct = signal.slPct !== undefined || signal.tpPct !== undefined;
  // percentages of the fill are on their proper sides whatever the price: nothing to check
  const { sl, tp } = pct ? levelsAt(signal, side, price) : signal;
  if (!pct || signal.sl !== undefined || signal.tp !== undefined) {
    const problem = bracketProblem(side, price, sl, tp);
    if (problem) return refuse("sizing", problem);
  }
  const e = ctx.equity;
  if (signal.size) return signalSized(signal.size, side, entryType, price, e, ctx.takerFee);
  let size: OrderSize;
  if (config.sizeMode === "risk") {
    if (sl === undefined) return refuse("sizing", "risk sizing needs a stop-loss");
    // a stop in percent of the fill: the distance is exact whatever the fill price
    size = signal.slPct !== undefined
      ? { kind: "risk_pct", fraction: config.size, stopPct: signal.slPct }
      : { kind: "risk", fraction: config.size, stop: sl };
  } else size = equitySize(config.size);
  const est = estimate(size, price, e, ctx.takerFee);
  const note: Note = {
    kind: "sizing",
    mode: config.sizeMode,
    size: config.size,
    takerFee: ctx.takerFee,
    equity: e,
    price,
    stopDistance: sl === undefined ? NaN : Math.abs(price - sl),
    qty: est.qty,
    balance: ctx.balance,
  };
  return {
    ok: true,
    side,
    entryType,
    size,
    estimate: est,
    capped: NO_CAPS,
    notes: [note],
  };
}

/**
 * An entry sized by its signal (a quantity, a fraction of equity, or a quote amount at the
 * entry's reference price); the caps still apply after it.
 */
function signalSized(
  s: SignalSize,
  side: PositionSide,
  entryType: "market" | "limit",
  price: number,
  equity: number,
  takerFee: number,
): SizedEntry | Refusal {
  const value = s.kind === "qty" ? s.qty : s.kind === "equity" ? s.fraction : s.amount;
  if (!(value > 0) || !Number.isFinite(value) || (s.kind === "equity" && value > 1)) {
    return refuse(
      "sizing",
      `the signal's size (${s.kind} ${value}) must be above 0` +
        (s.kind === "equity" ? " and at most 100 % of equity" : ""),
    );
  }
  const size: OrderSize = s.kind === "equity"
    ? equitySize(s.fraction)
    : { kind: "qty", qty: s.kind === "qty" ? s.qty : s.amount / price };
  const est = estimate(size, price, equity, takerFee);
  const asked = s.kind === "qty"
    ? `qty ${num(s.qty)}`
    : s.kind === "equity"
    ? `${num(s.fraction * 100)}% of equity ${num(equity)}`
    : `${num(s.amount)} of the quote currency at ${num(price)}`;
  return {
    ok: true,
    side,
    entryType,
    size,
    estimate: est,
    capped: NO_CAPS,
    notes: [
      `size from the signal: ${asked}: qty ≈ ${num(est.qty)} (notional ${num(est.notional)})`,
    ],
  };
}
