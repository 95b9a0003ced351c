// The live broker's local book: its orders, the account ledger, fills waiting for onBar, and
// the views (OrderView, PositionView) the engine reads.

import type { ExitReason, Fill, OrderSide, OrderType, PositionView } from "../core/trading.ts";
import type { OrderRefusal, OrderView } from "../core/ports.ts";
import { Portfolio } from "../account/portfolio.ts";
import type { JournalFill, OrderIntent, OrderRole } from "../core/order_journal.ts";

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

/** Orders, ledger and outputs of one live broker. */
export class LiveBook {
  /** Orders by id (= exchange client id). */
  readonly orders = new Map<string, LiveOrder>();
  /** Orders by the exchange's id, and fired trigger orders by the order they placed. */
  readonly byExchangeId = new Map<string, LiveOrder>();
  /** Trade ids already booked. */
  readonly seenTrades = new Set<string>();
  readonly refusals: OrderRefusal[] = [];
  /** Latest price per symbol (bar closes, or set by the caller). */
  readonly marks = new Map<string, number>();
  /**
   * The largest quantity of `symbol` that cannot be traded (below the lot step or the minimum
   * quantity): a sell leaving less than this closes the position (0: none).
   */
  dust: (symbol: string) => number = () => 0;
  /** The leverage positions of `symbol` are opened at (1 on spot). */
  leverage: (symbol: string) => number = () => 1;
  /** Fills per symbol not yet returned by onBar. */
  readonly pending = new Map<string, Fill[]>();
  /** Every fill booked by this broker, in order. */
  readonly fills: Fill[] = [];
  pf = new Portfolio(0, 0);

  add(o: LiveOrder): void {
    this.orders.set(o.id, o);
  }

  linkExchangeId(o: LiveOrder, id: string): void {
    this.byExchangeId.set(id, o);
  }

  /** Active orders, oldest first (of one symbol when given). */
  active(symbol?: string): LiveOrder[] {
    const out: LiveOrder[] = [];
    for (const o of this.orders.values()) {
      if (isActive(o) && (symbol === undefined || o.symbol === symbol)) out.push(o);
    }
    return out;
  }

  /** Records a refusal for the engine (and people) to see. */
  refuse(o: LiveOrder, code: string, reason: string, ts: number): void {
    this.refusals.push({
      ok: false,
      code,
      reason,
      orderId: o.id,
      clientId: o.clientId,
      symbol: o.symbol,
      ts,
    });
  }

  /**
   * Books fill `f` of `o` in the ledger: one net position per symbol; a fill against it reduces
   * it (what is left over opens the other side: contracts only, a spot sell is capped at the
   * position). A buy grows a long by the net quantity (spot fees kept in the coin); positions
   * open at the symbol's `leverage`. Returns the engine's Fill.
   */
  book(o: LiveOrder, f: IncomingFill): Fill {
    this.seenTrades.add(f.tradeId);
    o.filled += f.qty;
    o.fillValue = (o.fillValue ?? 0) + f.qty * f.price;
    const net = f.qty - f.feeQty;
    o.netFilled += net;
    const pf = this.pf;
    const pos = pf.position(o.symbol);
    const fill: Fill = {
      orderId: o.id,
      clientId: o.clientId,
      symbol: o.symbol,
      side: o.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      liquidity: f.liquidity,
      ts: f.ts,
    };
    const opens = o.side === "buy" ? "long" : "short";
    if (pos !== undefined && pos.side !== opens) {
      const reason = exitReasonOf(o);
      // a remainder too small to ever sell (a spot buy's fee kept in the coin) goes with it
      const closeQty = pos.qty - net < this.dust(o.symbol) ? pos.qty : Math.min(net, pos.qty);
      pf.reduce(pos, closeQty, f.price, f.fee, f.ts, reason);
      fill.exitReason = reason;
      const rest = net - closeQty;
      if (rest > pos.qty * 1e-9 && pf.position(o.symbol) === undefined) {
        pf.open(o.symbol, opens, rest, f.price, 0, f.ts, this.leverage(o.symbol));
      }
    } else {
      pf.open(o.symbol, opens, net, f.price, f.fee, f.ts, this.leverage(o.symbol));
      const p = pf.position(o.symbol)!;
      p.mark = this.marks.get(o.symbol) ?? f.price;
    }
    this.fills.push(fill);
    let list = this.pending.get(o.symbol);
    if (!list) this.pending.set(o.symbol, list = []);
    list.push(fill);
    return fill;
  }
}

/** The engine's view of an active order. */
export function liveOrderView(o: LiveOrder): OrderView {
  const v: OrderView = {
    id: o.id,
    clientId: o.clientId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: Math.max(0, o.qty - o.filled),
    reduceOnly: o.reduceOnly,
    createdTs: o.createdTs,
  };
  if (o.price !== undefined) v.price = o.price;
  if (o.stopPrice !== undefined) v.stopPrice = o.stopPrice;
  if (o.oco && isActive(o.oco) && !o.oco.cancelWanted) v.ocoWith = o.oco.id;
  return v;
}

/** The position of `symbol` with the levels of its live exit legs. */
export function livePositionView(book: LiveBook, symbol: string): PositionView | undefined {
  const p = book.pf.position(symbol);
  if (p === undefined) return undefined;
  const v: PositionView = {
    symbol,
    side: p.side,
    qty: p.qty,
    entryPrice: p.entryPrice,
    entryTs: p.entryTs,
    leverage: p.leverage,
    liquidationPrice: p.liquidationPrice,
  };
  for (const o of book.active(symbol)) {
    if (o.cancelWanted) continue;
    if (o.role === "sl") v.sl = o.stopPrice;
    else if (o.role === "tp") v.tp = o.price ?? o.stopPrice;
  }
  return v;
}
