// Orders resting in the simulated broker: their state, the level and direction that trigger
// them, bracket legs, exit reasons and the public OrderView.

import type {
  ExitReason,
  MarketRules,
  OrderRequest,
  OrderSide,
  OrderSize,
  OrderType,
  PositionView,
} from "../core/trading.ts";
import type { OrderView } from "../core/ports.ts";
import { trailingLevel, triggerDirection } from "./fill_rules.ts";
import { legFromFill, limitRounding, roundToTick, stopRounding } from "../core/order_rules.ts";

/** What an order is for: a plain order, or the stop / take-profit leg of a bracket. */
export type OrderRole = "order" | "sl" | "tp";

/** Evaluation class on a tie (same price reached): liquidation, then stops, then limits. */
export const CLASS_LIQUIDATION = 0;
/** Stop-market, untriggered stop-limit and trailing orders. */
export const CLASS_STOP = 1;
/** Limits, and stop-limits once triggered. */
export const CLASS_LIMIT = 2;

/** A live order with everything the simulation tracks about it. Prices are NaN when unset. */
export interface SimOrder {
  id: string;
  clientId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  size: OrderSize;
  /** Limit price, rounded to the tick. */
  price: number;
  /** Stop price, rounded to the tick. */
  stopPrice: number;
  trail: number;
  /** For a bracket's trailing leg: the fixed stop it never goes beyond (NaN: none). */
  floor: number;
  reduceOnly: boolean;
  ioc: boolean;
  /** Iceberg slice (NaN: not an iceberg). */
  visible: number;
  leverage: number;
  exitReason: ExitReason | undefined;
  createdTs: number;
  /** The symbol's bar count at submit: eligible from the next bar on. */
  armedAt: number;
  /** Total quantity; NaN until a price-dependent size is resolved at the first fill. */
  qty: number;
  filled: number;
  /** Bar count of its last execution (one execution, or iceberg slice, per bar). */
  execAt: number;
  /** Stop-market / stop-limit / trailing: the stop has fired. */
  triggered: boolean;
  /** Trailing: best price since it went live (highest for a sell stop, lowest for a buy stop). */
  best: number;
  /** Leg of the current candle's price path it went live on (-1: from the open). */
  activeLeg: number;
  /** 0: fills at the next open like a market order; otherwise -1 falling / +1 rising trigger. */
  dir: number;
  /** The price it triggers at (NaN: not evaluated yet). */
  lvl: number;
  cls: number;
  role: OrderRole;
  /**
   * Exits to attach when this entry fills, rounded: NaN for a missing leg. With `slPct` /
   * `tpPct` (percent of the fill; NaN when absolute) `sl` / `tp` are set when it fills.
   */
  bracket: { sl: number; tp: number; trail: number; slPct: number; tpPct: number } | undefined;
  /** Live legs of this entry, once it has filled. */
  legs: SimOrder[] | undefined;
  /** A leg's entry. */
  parent: SimOrder | undefined;
  /** A leg's other leg (OCO). */
  oco: SimOrder | undefined;
  live: boolean;
}

/** The other side. */
export function opposite(side: OrderSide): OrderSide {
  return side === "buy" ? "sell" : "buy";
}

/**
 * A new order from an accepted request, prices rounded conservatively to the tick; its quantity
 * is NaN until the caller resolves it. `armedAt` is the symbol's bar count now (the order is
 * eligible from the next bar); `mark` the latest close (NaN before the first bar), where a
 * standalone trailing stop starts. Arguments rather than an object: every order makes one.
 */
export function newOrder(
  req: OrderRequest,
  id: string,
  ts: number,
  armedAt: number,
  rules: MarketRules,
  leverage: number,
  mark: number,
): SimOrder {
  const tick = rules.tickSize;
  const exit = opposite(req.side);
  const b = req.bracket;
  const bracket = b && (b.sl !== undefined || b.tp !== undefined || b.trailFraction !== undefined ||
      b.slPct !== undefined || b.tpPct !== undefined)
    ? {
      sl: b.sl === undefined ? NaN : roundToTick(b.sl, tick, stopRounding(exit)),
      tp: b.tp === undefined ? NaN : roundToTick(b.tp, tick, limitRounding(exit)),
      trail: b.trailFraction ?? NaN,
      slPct: b.slPct ?? NaN,
      tpPct: b.tpPct ?? NaN,
    }
    : undefined;
  const o: SimOrder = {
    id,
    clientId: req.clientId,
    symbol: req.symbol,
    side: req.side,
    type: req.type,
    size: req.size,
    price: req.price === undefined ? NaN : roundToTick(req.price, tick, limitRounding(req.side)),
    stopPrice: req.stopPrice === undefined
      ? NaN
      : roundToTick(req.stopPrice, tick, stopRounding(req.side)),
    trail: req.trailFraction ?? NaN,
    floor: NaN,
    reduceOnly: req.reduceOnly === true,
    ioc: req.tif === "IOC",
    visible: req.visibleQty ?? NaN,
    leverage,
    exitReason: req.exitReason,
    createdTs: ts,
    armedAt,
    qty: NaN,
    filled: 0,
    execAt: -1,
    triggered: false,
    best: req.type === "trailing_stop" ? mark : NaN,
    activeLeg: -1,
    dir: 0,
    lvl: NaN,
    cls: CLASS_STOP,
    role: "order",
    bracket,
    legs: undefined,
    parent: undefined,
    oco: undefined,
    live: true,
  };
  refreshLevel(o);
  return o;
}

/** Where a bracket leg starts: its id, the entry's fill and the path leg it went live on. */
export interface LegStart {
  id: string;
  ts: number;
  armedAt: number;
  qty: number;
  fillPrice: number;
  activeLeg: number;
}

/**
 * Sets the levels of `entry`'s bracket given in percent from the price it filled at, rounded to
 * `tick` conservatively (a stop nearer, a target farther never: the exit side's rounding).
 */
export function placeFromFill(entry: SimOrder, fillPrice: number, tick: number): void {
  const br = entry.bracket!;
  if (br.slPct === br.slPct) br.sl = legFromFill(fillPrice, br.slPct, entry.side, "sl", tick);
  if (br.tpPct === br.tpPct) br.tp = legFromFill(fillPrice, br.tpPct, entry.side, "tp", tick);
}

/**
 * A bracket leg of `entry`, live from now: the stop leg is a stop-market at `sl`, or a trailing
 * stop from the fill price (never beyond `sl`) when the bracket trails; the take-profit leg a
 * limit at `tp`.
 */
export function newLeg(entry: SimOrder, role: "sl" | "tp", at: LegStart): SimOrder {
  const { id, ts, armedAt, qty, fillPrice, activeLeg } = at;
  const br = entry.bracket!;
  const trailing = role === "sl" && br.trail === br.trail;
  const type: OrderType = role === "tp" ? "limit" : trailing ? "trailing_stop" : "stop_market";
  const o: SimOrder = {
    ...entry,
    id,
    clientId: `${entry.clientId}:${role}`,
    side: opposite(entry.side),
    type,
    size: { kind: "qty", qty },
    price: role === "tp" ? br.tp : NaN,
    stopPrice: role === "sl" && !trailing ? br.sl : NaN,
    trail: trailing ? br.trail : NaN,
    floor: trailing ? br.sl : NaN,
    reduceOnly: true,
    ioc: false,
    visible: NaN,
    exitReason: undefined,
    createdTs: ts,
    armedAt,
    qty,
    filled: 0,
    execAt: -1,
    triggered: false,
    best: trailing ? fillPrice : NaN,
    activeLeg,
    role,
    bracket: undefined,
    legs: undefined,
    parent: entry,
    oco: undefined,
    live: true,
  };
  refreshLevel(o);
  return o;
}

/** Recomputes `dir`, `lvl` and `cls` from the order's type and state. */
export function refreshLevel(o: SimOrder): void {
  const t = o.type;
  if (t === "market" || (o.triggered && (t === "stop_market" || t === "trailing_stop"))) {
    o.dir = 0;
  } else if (t === "limit" || (t === "stop_limit" && o.triggered)) {
    o.dir = triggerDirection(o.side, "limit");
    o.lvl = o.price;
    o.cls = CLASS_LIMIT;
  } else {
    o.dir = triggerDirection(o.side, "stop");
    o.lvl = t === "trailing_stop" ? trailingLevel(o.side, o.best, o.trail, o.floor) : o.stopPrice;
    o.cls = CLASS_STOP;
  }
}

/** Why a fill of `o` that reduces a position closed it. */
export function exitReasonOf(o: SimOrder): ExitReason {
  if (o.exitReason !== undefined) return o.exitReason;
  if (o.role === "tp") return "tp";
  if (o.type === "trailing_stop") {
    // a trailing leg that never rose above its fixed stop is that stop
    return o.floor === o.floor && o.lvl === o.floor ? "sl" : "trailing";
  }
  if (o.role === "sl" || o.type === "stop_market" || o.type === "stop_limit") return "sl";
  return o.type === "limit" ? "tp" : "signal";
}

/** Remaining quantity (NaN while unresolved). */
export function remaining(o: SimOrder): number {
  return o.qty - o.filled;
}

/** The public view of an order. */
export function orderView(o: SimOrder): OrderView {
  const v: OrderView = {
    id: o.id,
    clientId: o.clientId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: remaining(o),
    reduceOnly: o.reduceOnly,
    createdTs: o.createdTs,
  };
  if (o.price === o.price) v.price = o.price;
  if (o.type === "trailing_stop" && o.lvl === o.lvl) v.stopPrice = o.lvl;
  else if (o.stopPrice === o.stopPrice) v.stopPrice = o.stopPrice;
  if (o.oco?.live) v.ocoWith = o.oco.id;
  return v;
}

/**
 * Sets the stop and take-profit levels of the live bracket legs among `orders` on `view` (latest
 * leg wins; a level without a leg stays unset) and returns it.
 */
export function addBracketLevels(orders: readonly SimOrder[], view: PositionView): PositionView {
  for (let k = 0; k < orders.length; k++) {
    const o = orders[k];
    if (o.role === "sl" && o.lvl === o.lvl) view.sl = o.lvl;
    else if (o.role === "tp") view.tp = o.price;
  }
  return view;
}
