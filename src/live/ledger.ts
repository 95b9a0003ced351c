// The live broker's ledger: its orders, the account (a Portfolio), fills waiting for onBar,
// refusals, the latest marks, and what the Broker port reads of them (positions, open orders,
// equity, trades, costs).

import type { Fill, PositionView, Trade } from "../core/trading.ts";
import type { OrderRefusal, OrderView } from "../core/ports.ts";
import { Portfolio } from "../account/portfolio.ts";
import type { LiveMarket } from "./market.ts";
import { exitReasonOf, type IncomingFill, isActive, type LiveOrder } from "./orders.ts";

/** Where a ledger finds a symbol's market (its lot rules give the dust of a position). */
export interface MarketSource {
  market(symbol: string): LiveMarket | undefined;
}

/**
 * The local book of one live broker. Positions are one net position per symbol, P&L net of
 * fees in quote (as SimBroker's); spot fees paid in the coin shrink what a buy adds, and a
 * remainder below the lot closes with the position.
 *
 * @example
 * ```ts
 * const ledger = new LiveLedger(venue, 3);
 * ledger.restart(1000);
 * ledger.add(order);
 * ledger.book(order, fill); // the engine's Fill, waiting for takeFills(symbol)
 * ```
 */
export class LiveLedger {
  /** Orders by id (= exchange client id). */
  readonly #orders = new Map<string, LiveOrder>();
  /** Orders by the exchange's id, and fired trigger orders by the order they placed. */
  readonly #byExchangeId = new Map<string, LiveOrder>();
  /** Trade ids already booked. */
  readonly #seenTrades = new Set<string>();
  readonly #refusals: OrderRefusal[] = [];
  /** Latest price per symbol (bar closes, or set by the caller). */
  readonly #marks = new Map<string, number>();
  /** Fills per symbol not yet returned by onBar. */
  readonly #pending = new Map<string, Fill[]>();
  /** Every fill booked, in order. */
  readonly #fills: Fill[] = [];
  #pf = new Portfolio(0, 0);
  readonly #markets: MarketSource | undefined;
  readonly #leverage: number;

  /**
   * A ledger of the markets of `markets` (none: no dust, every position at leverage 1),
   * opening contract positions at `leverage` (default 1).
   */
  constructor(markets?: MarketSource, leverage = 1) {
    this.#markets = markets;
    this.#leverage = leverage;
  }

  /** The account: balance, positions, trades. */
  get portfolio(): Portfolio {
    return this.#pf;
  }

  /** Starts the account over at `cash` (no positions, no trades). */
  restart(cash: number): void {
    this.#pf = new Portfolio(cash, 0);
  }

  /**
   * The largest quantity of `symbol` that cannot be traded: a sell leaving less than this closes
   * the position. Spot: the coins a buy's fee left below the step or the minimum can never be
   * sold; a contract position is whole steps on the exchange, so less than half a step is float
   * noise. 0 without the market.
   */
  dust(symbol: string): number {
    const m = this.#markets?.market(symbol);
    return m === undefined
      ? 0
      : m.spot
      ? Math.max(m.rules.qtyStep, m.rules.minQty)
      : m.rules.qtyStep / 2;
  }

  /** The leverage positions of `symbol` are opened at (1 on spot). */
  leverageOf(symbol: string): number {
    return this.#markets?.market(symbol)?.spot === false ? this.#leverage : 1;
  }

  /** Tracks `o` (by its id). */
  add(o: LiveOrder): void {
    this.#orders.set(o.id, o);
  }

  /** The order with id `id`, if tracked. */
  order(id: string): LiveOrder | undefined {
    return this.#orders.get(id);
  }

  /** Links `o` to an exchange id (its own, or the order a trigger placed). */
  link(o: LiveOrder, exchangeOrderId: string): void {
    this.#byExchangeId.set(exchangeOrderId, o);
  }

  /** The order linked to the exchange id `id`. */
  byExchangeId(id: string): LiveOrder | undefined {
    return this.#byExchangeId.get(id);
  }

  /** Whether the trade `tradeId` is booked. */
  seen(tradeId: string): boolean {
    return this.#seenTrades.has(tradeId);
  }

  /** Active orders, oldest first (of one symbol when given). */
  active(symbol?: string): LiveOrder[] {
    const out: LiveOrder[] = [];
    for (const o of this.#orders.values()) {
      if (isActive(o) && (symbol === undefined || o.symbol === symbol)) out.push(o);
    }
    return out;
  }

  /** Records a refusal for the engine (and people) to see. */
  refuse(o: LiveOrder, code: string, reason: string, ts: number): void {
    this.#refusals.push({
      ok: false,
      code,
      reason,
      orderId: o.id,
      clientId: o.clientId,
      symbol: o.symbol,
      ts,
    });
  }

  /** The latest price of `symbol`. */
  mark(symbol: string): number | undefined {
    return this.#marks.get(symbol);
  }

  /** Sets the latest price of `symbol` (and its position's mark). */
  setMark(symbol: string, price: number): void {
    this.#marks.set(symbol, price);
    const p = this.#pf.position(symbol);
    if (p !== undefined) p.mark = price;
  }

  /** Whether a price of `symbol` is known. */
  hasMark(symbol: string): boolean {
    return this.#marks.has(symbol);
  }

  /**
   * Books fill `f` of `o` in the ledger: one net position per symbol; a fill against it reduces
   * it (what is left over opens the other side: contracts only, a spot sell is capped at the
   * position). A buy grows a long by the net quantity (spot fees kept in the coin); positions
   * open at the symbol's leverage. Returns the engine's Fill.
   */
  book(o: LiveOrder, f: IncomingFill): Fill {
    this.#seenTrades.add(f.tradeId);
    o.filled += f.qty;
    o.fillValue = (o.fillValue ?? 0) + f.qty * f.price;
    const net = f.qty - f.feeQty;
    o.netFilled += net;
    const pf = this.#pf;
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
        pf.open(o.symbol, opens, rest, f.price, 0, f.ts, this.leverageOf(o.symbol));
      }
    } else {
      pf.open(o.symbol, opens, net, f.price, f.fee, f.ts, this.leverageOf(o.symbol));
      const p = pf.position(o.symbol)!;
      p.mark = this.#marks.get(o.symbol) ?? f.price;
    }
    this.#fills.push(fill);
    let list = this.#pending.get(o.symbol);
    if (!list) this.#pending.set(o.symbol, list = []);
    list.push(fill);
    return fill;
  }

  /** The fills of `symbol` booked since the last call (for onBar). */
  takeFills(symbol: string): Fill[] {
    const out = this.#pending.get(symbol);
    if (!out || out.length === 0) return [];
    this.#pending.set(symbol, []);
    return out;
  }

  /**
   * After a start-up rebuild: no fill waits for onBar (they are reported by reconcile), and,
   * unless `keepFills`, the fill list starts empty.
   */
  settled(keepFills: boolean): void {
    this.#pending.clear();
    if (!keepFills) this.#fills.length = 0;
  }

  /** The open position in `symbol` with its live exits' levels, or undefined. */
  position(symbol: string): PositionView | undefined {
    const p = this.#pf.position(symbol);
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
    for (const o of this.active(symbol)) {
      if (o.cancelWanted) continue;
      if (o.role === "sl") v.sl = o.stopPrice;
      else if (o.role === "tp") v.tp = o.price ?? o.stopPrice;
    }
    return v;
  }

  /** Orders accepted and not finished (of one symbol when given), oldest first. */
  openOrders(symbol?: string): readonly OrderView[] {
    return this.active(symbol).filter((o) => !o.cancelWanted).map(orderView);
  }

  /** Balance plus unrealised P&L at the latest marks. */
  equity(): number {
    return this.#pf.equity();
  }

  /** Balance: starting cash (plus adopted positions at cost) after realised P&L and fees. */
  balance(): number {
    return this.#pf.balance;
  }

  /** Closed round trips, in closing order. */
  trades(): readonly Trade[] {
    return this.#pf.trades;
  }

  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number } {
    return this.#pf.costs();
  }

  /** Orders refused after acceptance (by the exchange, or unsent), in order. */
  refusals(): readonly OrderRefusal[] {
    return this.#refusals;
  }

  /** Every fill booked so far, in order. */
  fills(): readonly Fill[] {
    return this.#fills;
  }
}

/** The engine's view of an active order. */
function orderView(o: LiveOrder): OrderView {
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
