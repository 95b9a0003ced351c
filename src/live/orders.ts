// One order of the live broker, where it stands, what the journal keeps of it, and the
// exchange's trade as a fill to book.

import type { Trade } from "ccxt";
import type { ExitReason, OrderSide, OrderType } from "../core/trading.ts";
import type { JournalFill, OrderIntent, OrderRole } from "../core/order_journal.ts";
import { fromContracts, type LiveMarket } from "./market.ts";

/**
 * Where a live order stands locally. queued: accepted, not yet sent; sending: being placed;
 * open: at the exchange; unknown: sending failed in a way that leaves it unclear (looked up
 * again on each poll); the rest are final.
 */
export type LiveStatus =
  | "queued"
  | "sending"
  | "open"
  | "unknown"
  | "filled"
  | "cancelled"
  | "rejected";

/** One order of the live broker. */
export interface LiveOrder {
  /** What submit returned: the exchange client id (deterministic, known before sending). */
  id: string;
  clientId: string;
  exchangeClientId: string;
  /** The exchange's id (ordId, or algoId for trigger orders) once acknowledged. */
  exchangeOrderId?: string;
  /** For a trigger order: the regular order it placed when it fired. */
  firedOrderId?: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** Quantity sent (base units). */
  qty: number;
  price?: number;
  stopPrice?: number;
  reduceOnly: boolean;
  role: OrderRole;
  /** Sent as a trigger (algo) order. */
  algo: boolean;
  /**
   * Exits to place once this entry fills: absolute levels, or in percent of its average fill
   * price (`slPct`, `tpPct`), placed from that price when it has filled.
   */
  bracket?: { sl?: number; tp?: number; slPct?: number; tpPct?: number };
  exitReason?: ExitReason;
  /** A leg's entry; an entry's placed legs; a leg's other leg (OCO). */
  parent?: LiveOrder;
  legs?: LiveOrder[];
  oco?: LiveOrder;
  createdTs: number;
  status: LiveStatus;
  /** Gross quantity filled so far. */
  filled: number;
  /** What the position grew or shrank by (gross minus fees paid in the base currency). */
  netFilled: number;
  /** Sum of quantity × price of its fills (the average fill price is this over `filled`). */
  fillValue?: number;
  /** Cancel requested (it no longer shows as open). */
  cancelWanted: boolean;
}

/** Live statuses that can still fill. */
export function isActive(o: LiveOrder): boolean {
  return o.status === "queued" || o.status === "sending" || o.status === "open" ||
    o.status === "unknown";
}

/** The journal intent of `o`. */
export function intentOf(o: LiveOrder, exchange: string): OrderIntent {
  const i: OrderIntent = {
    clientId: o.clientId,
    exchangeClientId: o.exchangeClientId,
    exchange,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: o.qty,
    reduceOnly: o.reduceOnly,
    role: o.role,
    algo: o.algo,
    ts: o.createdTs,
  };
  if (o.price !== undefined) i.price = o.price;
  if (o.stopPrice !== undefined) i.stopPrice = o.stopPrice;
  if (o.parent) i.parentClientId = o.parent.clientId;
  if (o.bracket) i.bracket = { ...o.bracket };
  if (o.exitReason) i.exitReason = o.exitReason;
  return i;
}

/** The exit reason of a fill of `o` that reduces a position. */
export function exitReasonOf(o: LiveOrder): ExitReason {
  if (o.exitReason !== undefined) return o.exitReason;
  if (o.role === "sl") return "sl";
  if (o.role === "tp") return "tp";
  return o.type === "stop_market" || o.type === "stop_limit" ? "sl" : "signal";
}

/** A fill before it is booked: the exchange's trade, with the fee in quote. */
export interface IncomingFill extends JournalFill {
  /** The exchange's order id it belongs to. */
  exchangeOrderId: string;
}

/** Quantity tolerance: a remainder below this fraction counts as filled. */
export const FILL_EPS = 1e-9;

/**
 * The exchange's trade as a fill to book: quantity in base units (contracts × contract size),
 * fee in quote (a spot fee kept in the base currency converted at the fill price).
 */
export function incomingFill(t: Trade, m: LiveMarket | undefined): IncomingFill {
  const qty = fromContracts(m, Number(t.amount));
  const price = Number(t.price);
  const cost = Number(t.fee?.cost ?? 0);
  const ccy = t.fee?.currency;
  const inBase = m !== undefined && m.spot && ccy === m.base;
  return {
    tradeId: String(t.id),
    exchangeOrderId: String(t.order ?? ""),
    qty,
    price,
    fee: inBase ? cost * price : m === undefined || ccy === m.quote || ccy === undefined ? cost : 0,
    feeQty: inBase ? cost : 0,
    liquidity: t.takerOrMaker === "maker" ? "maker" : "taker",
    ts: Number(t.timestamp),
  };
}
