// Order rules: request validation, rounding to the exchange tick and step, minimum quantity and
// notional, margin checks and resolving price-dependent sizes at fill. Refusals are values.

import { fmtNum } from "./format.ts";
import {
  levelFromFill,
  type MarketRules,
  type OrderRequest,
  type OrderSide,
  type OrderSize,
  type Refusal,
} from "./trading.ts";

/** Rules of a market we know nothing about: no rounding, no minimums. */
export const NO_RULES: Readonly<MarketRules> = Object.freeze({
  tickSize: 0,
  qtyStep: 0,
  minQty: 0,
  minNotional: 0,
});

/** A refusal value with `code` and a sentence `reason`. */
export function refusal(code: string, reason: string): Refusal {
  return { ok: false, code, reason };
}

/** A number for people: at most 10 significant digits, without float noise (0.1 + 0.2 → "0.3"). */
export function num(x: number): string {
  return fmtNum(x, 10);
}

/**
 * How far (relative) a quotient `qty / step` may sit from a whole number and still count as it:
 * a few ulps, the error of dividing two rounded floats. `9.87164127 / 1e-8` is
 * `987164126.9999999`, which is the multiple 987164127, not one step less.
 */
const STEP_ULPS = 8 * Number.EPSILON;

/** The whole number `x` is within a few ulps of, else NaN. */
function nearWhole(x: number): number {
  const n = Math.round(x);
  return Math.abs(x - n) <= STEP_ULPS * Math.abs(x) ? n : NaN;
}

let lastStep = NaN;
let lastDecimals = 0;

/** Decimal places of `step` (1e-8 → 8, 0.25 → 2), or -1 when it has no short decimal form. */
function decimalsOf(step: number): number {
  if (step === lastStep) return lastDecimals;
  let d = -1;
  for (let k = 0; k <= 20; k++) {
    const scaled = step * 10 ** k;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * scaled) {
      d = k;
      break;
    }
  }
  lastStep = step;
  lastDecimals = d;
  return d;
}

/** `n` steps as the float nearest the exact decimal (`n * step` without its noise). */
function steps(n: number, step: number): number {
  const x = n * step;
  const d = decimalsOf(step);
  return d < 0 ? x : Number(x.toFixed(d));
}

/**
 * True when `qty` is a whole number of `step`s (within a few ulps); always true for step 0.
 */
export function onStep(qty: number, step: number): boolean {
  if (!(step > 0)) return true;
  const n = nearWhole(qty / step);
  return n === n;
}

/**
 * True when `qty` is the whole of a position of `positionQty` (equal within a few ulps): a
 * closing order then closes the position's exact quantity, never a re-rounded one.
 */
export function isWhole(qty: number, positionQty: number): boolean {
  return Math.abs(qty - positionQty) <= STEP_ULPS * positionQty;
}

/**
 * True when what a reduction leaves of a position, `rest` (> 0), can never be traded on its own:
 * less than one step or the minimum quantity (float noise included). The fill then takes it too.
 */
export function isDust(rest: number, rules: MarketRules, positionQty: number): boolean {
  return rest < rules.qtyStep * (1 - 1e-9) || rest < rules.minQty * (1 - 1e-9) ||
    rest <= positionQty * 1e-9;
}

/**
 * `qty` rounded DOWN to a multiple of `step` (no rounding when `step` is 0), done once: a value
 * already on the step (within a few ulps of a multiple) stays that multiple, so rounding again
 * never loses a step. The result is the float nearest the exact decimal multiple.
 *
 * @example
 * ```ts
 * floorToStep(0.12345, 0.001); // 0.123
 * floorToStep(9.87164127, 1e-8); // 9.87164127 (not 9.87164126)
 * ```
 */
export function floorToStep(qty: number, step: number): number {
  if (!(step > 0)) return qty;
  const x = qty / step;
  const n = nearWhole(x);
  return steps(n === n ? n : Math.floor(x), step);
}

/**
 * `price` rounded to a multiple of `tick`, "down" or "up" (no rounding when `tick` is 0); a price
 * already on the tick (within a few ulps) stays as it is.
 *
 * @example
 * ```ts
 * roundToTick(100.07, 0.05, "down"); // 100.05
 * ```
 */
export function roundToTick(price: number, tick: number, mode: "down" | "up"): number {
  if (!(tick > 0)) return price;
  const x = price / tick;
  const near = nearWhole(x);
  const n = near === near ? near : mode === "down" ? Math.floor(x) : Math.ceil(x);
  return steps(n, tick);
}

/** Conservative rounding of a limit price: buy limits down, sell limits up. */
export function limitRounding(side: OrderSide): "down" | "up" {
  return side === "buy" ? "down" : "up";
}

/** Conservative rounding of a stop price: buy stops up, sell stops down. */
export function stopRounding(side: OrderSide): "down" | "up" {
  return side === "buy" ? "up" : "down";
}

/**
 * The price of a bracket leg `pct` percent from the entry's `fill`, for an entry that bought or
 * sold (`entrySide`), rounded to `tick` the way its exit order is: a stop as a stop, a target as
 * a limit. Both brokers place `slPct` / `tpPct` with it.
 *
 * @example
 * ```ts
 * legFromFill(40_123.4, 1, "buy", "sl", 0.1); // 39722.1
 * ```
 */
export function legFromFill(
  fill: number,
  pct: number,
  entrySide: OrderSide,
  role: "sl" | "tp",
  tick: number,
): number {
  const exit = entrySide === "buy" ? "sell" : "buy";
  const level = levelFromFill(fill, pct, entrySide === "buy" ? "long" : "short", role);
  return roundToTick(level, tick, role === "sl" ? stopRounding(exit) : limitRounding(exit));
}

/**
 * Quantity a size asks for at `fillPrice` (not yet rounded): `qty` as given; `equity`:
 * `fraction * equity / (fillPrice * (1 + takerFee))`; `risk`: `fraction * equity / |fillPrice - stop|`.
 */
export function resolveQty(
  size: OrderSize,
  fillPrice: number,
  equity: number,
  takerFee: number,
): number {
  switch (size.kind) {
    case "qty":
      return size.qty;
    case "equity":
      return size.fraction * equity / (fillPrice * (1 + takerFee));
    case "risk":
      return size.fraction * equity / Math.abs(fillPrice - size.stop);
    case "risk_pct":
      return size.fraction * equity / (fillPrice * size.stopPct / 100);
  }
}

/** A quantity to check against a market's minimums. */
export interface QtyCheck {
  /** Quantity before rounding, named in the reason when it differs from `qty`. */
  raw: number;
  /** Quantity rounded down to the step. */
  qty: number;
  /** Price of the notional; NaN skips the notional check. */
  price: number;
  /** Reduce-only orders skip the notional check (default false). */
  reduceOnly?: boolean;
}

/**
 * True when {@link checkMinimums} passes `qty` at `price` (a known price: NaN answers false).
 * The simulated broker asks this first on every fill, and builds the check object and its
 * refusal only when it fails.
 */
export function meetsMinimums(
  rules: MarketRules,
  qty: number,
  price: number,
  reduceOnly: boolean,
): boolean {
  return qty > 0 && qty >= rules.minQty && (reduceOnly || qty * price >= rules.minNotional);
}

/**
 * True when {@link checkMargin} passes: the initial margin `notional / leverage` plus the fee of
 * opening `qty` at `price` fits in `available` (within float noise). The hot-path form, without
 * an object or a refusal.
 */
export function marginFits(
  qty: number,
  price: number,
  leverage: number,
  feeRate: number,
  available: number,
): boolean {
  const notional = qty * price;
  const need = notional / leverage + notional * feeRate;
  return need <= available + 1e-9 * Math.max(1, Math.abs(need));
}

/**
 * Refuses a rounded quantity below the market's minimum quantity (`min_qty`) or a notional
 * `qty * price` below its minimum notional (`min_notional`); null when it passes.
 */
export function checkMinimums(symbol: string, rules: MarketRules, q: QtyCheck): Refusal | null {
  const { raw, qty, price } = q;
  if (!(qty > 0) || qty < rules.minQty) {
    const below = qty < rules.minQty
      ? `below the exchange minimum ${num(rules.minQty)}`
      : "which is nothing";
    const what = raw !== qty
      ? `Quantity ${num(raw)} for ${symbol} rounds down to ${num(qty)} at step ${
        num(rules.qtyStep)
      }, ${below}`
      : `Quantity ${num(qty)} for ${symbol} is ${below}`;
    return refusal("min_qty", `${what}; raise the size.`);
  }
  const notional = qty * price;
  if (!q.reduceOnly && notional < rules.minNotional) {
    return refusal(
      "min_notional",
      `Notional ${num(notional)} (${num(qty)} × ${
        num(price)
      }) for ${symbol} is below the exchange minimum ${num(rules.minNotional)}; raise the size.`,
    );
  }
  return null;
}

/** An opening to check against the available margin. */
export interface MarginCheck {
  qty: number;
  price: number;
  leverage: number;
  /** Fee rate of the fill (maker or taker). */
  feeRate: number;
  /** Balance minus used margin (after any closing part of the same order). */
  available: number;
}

/**
 * Refuses opening `qty` at `price` when the initial margin `notional / leverage` plus the fee
 * is more than `available` (`insufficient_margin`); null when it fits (within float noise).
 */
export function checkMargin(symbol: string, m: MarginCheck): Refusal | null {
  const { qty, price, leverage, feeRate, available } = m;
  if (marginFits(qty, price, leverage, feeRate, available)) return null;
  const notional = qty * price;
  const margin = notional / leverage;
  const fee = notional * feeRate;
  const need = margin + fee;
  return refusal(
    "insufficient_margin",
    `Insufficient margin for ${symbol}: opening ${num(qty)} at ${num(price)} needs ${num(need)} ` +
      `(margin ${num(margin)} at ${num(leverage)}x + fee ${num(fee)}) but ${
        num(available)
      } is available; reduce the size or raise the leverage.`,
  );
}

/** What submit knows about a fixed-quantity order. */
export interface SubmitCheck extends QtyCheck, Omit<MarginCheck, "qty" | "price"> {
  /** The part of `qty` that closes an opposite position (it needs no margin). */
  closeQty: number;
}

/**
 * Submit-time checks of a fixed quantity: the minimums, then, unless reduce-only and when the
 * price is known, the margin for the part that opens.
 */
export function checkSubmit(symbol: string, rules: MarketRules, c: SubmitCheck): Refusal | null {
  const small = checkMinimums(symbol, rules, c);
  if (small !== null || c.reduceOnly || c.price !== c.price || c.qty <= c.closeQty) return small;
  return checkMargin(symbol, { ...c, qty: c.qty - c.closeQty });
}

const TYPES = new Set(["market", "limit", "stop_market", "stop_limit", "trailing_stop"]);

const positive = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x > 0;
const fraction = (x: unknown) => positive(x) && (x as number) < 1;
const percent = (x: unknown) => positive(x) && (x as number) < 100;

/** The `invalid_order` refusal of `req`, saying `what` is wrong. */
function invalid(req: OrderRequest, what: string): Refusal {
  return refusal("invalid_order", `Order "${req.clientId}": ${what}.`);
}

/** Checks the shape of a request; an `invalid_order` refusal naming the bad field, or null. */
export function validateRequest(req: OrderRequest): Refusal | null {
  if (typeof req.clientId !== "string" || req.clientId === "") {
    return refusal("invalid_order", "An order needs a non-empty clientId.");
  }
  if (typeof req.symbol !== "string" || req.symbol === "") {
    return invalid(req, "the symbol is empty");
  }
  if (req.side !== "buy" && req.side !== "sell") {
    return invalid(req, `side "${req.side}" is not buy or sell`);
  }
  if (!TYPES.has(req.type)) return invalid(req, `type "${req.type}" is not an order type`);
  const s = req.size;
  if (s?.kind === "qty") {
    if (!positive(s.qty)) return invalid(req, `quantity ${s.qty} is not a positive number`);
  } else if (s?.kind === "equity" || s?.kind === "risk") {
    if (!positive(s.fraction)) {
      return invalid(req, `fraction ${s.fraction} is not a positive number`);
    }
    if (s.kind === "risk" && !positive(s.stop)) {
      return invalid(req, `risk stop ${s.stop} is not a price`);
    }
  } else if (s?.kind === "risk_pct") {
    if (!positive(s.fraction)) {
      return invalid(req, `fraction ${s.fraction} is not a positive number`);
    }
    if (!percent(s.stopPct)) return invalid(req, `risk stopPct ${s.stopPct} is not 0..100`);
  } else return invalid(req, "the size kind is not qty, equity, risk or risk_pct");
  if ((req.type === "limit" || req.type === "stop_limit") && !positive(req.price)) {
    return invalid(req, `a ${req.type} order needs a positive price, got ${req.price}`);
  }
  if ((req.type === "stop_market" || req.type === "stop_limit") && !positive(req.stopPrice)) {
    return invalid(req, `a ${req.type} order needs a positive stopPrice, got ${req.stopPrice}`);
  }
  if (req.type === "trailing_stop" && !fraction(req.trailFraction)) {
    return invalid(req, `trailFraction ${req.trailFraction} is not between 0 and 1`);
  }
  if (req.tif !== undefined && req.tif !== "GTC" && req.tif !== "IOC") {
    return invalid(req, `time in force "${req.tif}" is not GTC or IOC`);
  }
  if (req.visibleQty !== undefined && !positive(req.visibleQty)) {
    return invalid(req, `visibleQty ${req.visibleQty} is not a positive number`);
  }
  if (req.leverage !== undefined && !(Number.isFinite(req.leverage) && req.leverage >= 1)) {
    return invalid(req, `leverage ${req.leverage} is not a number of at least 1`);
  }
  const b = req.bracket;
  if (b !== undefined) {
    if (req.reduceOnly) return invalid(req, "a reduce-only order cannot carry a bracket");
    if (b.sl !== undefined && !positive(b.sl)) {
      return invalid(req, `bracket sl ${b.sl} is not a price`);
    }
    if (b.tp !== undefined && !positive(b.tp)) {
      return invalid(req, `bracket tp ${b.tp} is not a price`);
    }
    if (b.slPct !== undefined && (!percent(b.slPct) || b.sl !== undefined)) {
      return invalid(req, `bracket slPct ${b.slPct} is not 0..100, or comes with an sl`);
    }
    if (b.tpPct !== undefined && (!percent(b.tpPct) || b.tp !== undefined)) {
      return invalid(req, `bracket tpPct ${b.tpPct} is not 0..100, or comes with a tp`);
    }
    if (b.trailFraction !== undefined && !fraction(b.trailFraction)) {
      return invalid(req, `bracket trailFraction ${b.trailFraction} is not between 0 and 1`);
    }
  }
  return null;
}
