// What happens when a simulated order executes: size resolution, reduce / open / flip of the net
// position, fees, margin refusals, bracket legs and OCO, liquidation and closing out.

import type { OrderRefusal } from "../core/ports.ts";
import type {
  ExitReason,
  FeeSchedule,
  Fill,
  MarketRules,
  PositionView,
  Refusal,
} from "../core/trading.ts";
import { removeFrom } from "../account/arrays.ts";
import { RunLog } from "./run_log.ts";
import { sideOpened } from "../core/trading.ts";
import {
  checkMargin,
  checkMinimums,
  floorToStep,
  isDust,
  marginFits,
  meetsMinimums,
  NO_RULES,
  num,
  refusal,
  resolveQty,
} from "../core/order_rules.ts";
import { Portfolio, type Position } from "../account/portfolio.ts";
import type { ResolvedOptions } from "./options.ts";
import {
  addBracketLevels,
  exitReasonOf,
  newLeg,
  placeFromFill,
  remaining,
  type SimOrder,
} from "./orders.ts";

/** A refusal that happened at fill time (the order was cancelled), with where and when. */
export type RecordedRefusal = OrderRefusal;

/** Per-symbol state: rules, live orders in id order, latest mark, bars seen. */
export interface Book {
  readonly symbol: string;
  readonly rules: MarketRules;
  readonly orders: SimOrder[];
  /** Close of the latest bar (NaN before the first). */
  mark: number;
  /** Number of bars passed to onBar for this symbol so far. */
  bars: number;
  view: PositionView | undefined;
  dirty: boolean;
}

/** Quantities within this fraction of the total count as done (float dust). */
const DUST = 1e-9;

/** The broker's state and its execution rules; SimBroker drives it bar by bar. */
export class SimExecution {
  readonly pf: Portfolio;
  readonly books = new Map<string, Book>();
  /** The run's history: every fill, trade (the ledger's) and refusal at fill time so far. */
  readonly log: RunLog;
  /** Fills of the bar in progress (null until the first). */
  out: Fill[] | null = null;
  /** Leg of the price path being walked (-1: at the open), for bracket legs going live. */
  leg = -1;
  readonly fees: FeeSchedule;
  readonly slippageBps: number;
  readonly rules: Readonly<Record<string, MarketRules>>;
  readonly idPrefix: string;
  #seq = 0;
  #last: Book | undefined;

  /** Empty books and a wallet of `o.cash`. */
  constructor(o: ResolvedOptions) {
    this.log = new RunLog(o.idPrefix);
    this.pf = new Portfolio(o.cash, o.maintenanceMarginRate, this.log);
    this.fees = o.fees;
    this.slippageBps = o.slippageBps;
    this.rules = o.rules;
    this.idPrefix = o.idPrefix;
  }

  /** The next deterministic id: `${idPrefix}${n}`, n from 1. */
  nextId(): string {
    return `${this.idPrefix}${++this.#seq}`;
  }

  /** The book of `symbol`, created on first use. */
  book(symbol: string): Book {
    let b = this.findBook(symbol);
    if (b === undefined) {
      const rules = Object.hasOwn(this.rules, symbol) ? this.rules[symbol] : NO_RULES;
      b = { symbol, rules, orders: [], mark: NaN, bars: 0, view: undefined, dirty: true };
      this.books.set(symbol, b);
    }
    return b;
  }

  /**
   * The book of `symbol`, if it has one. The last one found is remembered: the engine asks about
   * the same symbol several times per candle, and a run of one symbol then never hashes it.
   */
  findBook(symbol: string): Book | undefined {
    const last = this.#last;
    if (last !== undefined && last.symbol === symbol) return last;
    const b = this.books.get(symbol);
    if (b !== undefined) this.#last = b;
    return b;
  }

  /**
   * The live order with id `orderId`, or undefined. A scan of the books: they hold a handful of
   * orders, and an index by id cost more to keep up to date on every order than this costs.
   */
  findOrder(orderId: string): SimOrder | undefined {
    for (const b of this.books.values()) {
      for (let i = 0; i < b.orders.length; i++) if (b.orders[i].id === orderId) return b.orders[i];
    }
    return undefined;
  }

  /**
   * Adds a live order to its book. The position's view shows the levels of bracket legs only:
   * another order leaves it as it is.
   */
  add(b: Book, o: SimOrder): void {
    b.orders.push(o);
    if (o.role !== "order") b.dirty = true;
  }

  /** Takes an order off its book (filled or cancelled). */
  remove(b: Book, o: SimOrder): void {
    if (!o.live) return;
    o.live = false;
    removeFrom(b.orders, o);
    if (o.role !== "order") b.dirty = true;
  }

  /** Cancels `o` at fill time and records why. */
  refuse(b: Book, o: SimOrder, r: Refusal, ts: number): void {
    this.remove(b, o);
    this.log.refusal({ ...r, orderId: o.id, clientId: o.clientId, symbol: o.symbol, ts });
  }

  /** Cancels the reduce-only orders and bracket legs of a position that is gone or flipped. */
  dropReducers(b: Book): void {
    for (let i = b.orders.length - 1; i >= 0; i--) {
      if (b.orders[i].reduceOnly) this.remove(b, b.orders[i]);
    }
  }

  /** Records a fill in the history and the current bar's output. */
  emit(f: Fill): void {
    this.log.fill(f);
    if (this.out === null) this.out = [f];
    else this.out.push(f);
  }

  /**
   * Executes (one slice of) `o` at `price`: resolves a price-dependent size, reduces or closes
   * an opposite position, opens or adds with what is left (margin permitting), charges the fee,
   * then applies OCO, drops reducers of a closed position and activates bracket legs.
   */
  execute(b: Book, o: SimOrder, price: number, liquidity: "maker" | "taker", ts: number): void {
    const pf = this.pf;
    const rate = liquidity === "maker" ? this.fees.maker : this.fees.taker;
    if (o.qty !== o.qty) {
      const raw = resolveQty(o.size, price, pf.equity(), this.fees.taker);
      if (!(Number.isFinite(raw) && raw > 0)) {
        const why = o.size.kind === "risk"
          ? `risk sizing needs the fill price ${num(price)} to differ from the stop ${
            num(o.size.stop)
          }`
          : o.size.kind === "risk_pct"
          ? `risk sizing with a stop ${num(o.size.stopPct)} % from the fill gave ${num(raw)}`
          : `sizing gave ${num(raw)} at equity ${num(pf.equity())}`;
        return this.refuse(b, o, refusal("invalid_size", `Order "${o.clientId}": ${why}.`), ts);
      }
      const qty = floorToStep(raw, b.rules.qtyStep);
      if (!meetsMinimums(b.rules, qty, price, o.reduceOnly)) {
        const r = checkMinimums(o.symbol, b.rules, { raw, qty, price, reduceOnly: o.reduceOnly });
        if (r !== null) return this.refuse(b, o, r, ts);
      }
      o.qty = qty;
    }
    o.execAt = b.bars;
    let want = remaining(o);
    if (o.visible < want) want = o.visible;
    let pos = pf.position(o.symbol);
    const before = pos?.side;
    const side = sideOpened(o.side);
    let closeQty = pos !== undefined && pos.side !== side ? Math.min(want, pos.qty) : 0;
    // what would be left is too small to ever close on its own (below the step or the minimum
    // quantity): it goes with this fill
    if (closeQty > 0 && closeQty < pos!.qty && isDust(pos!.qty - closeQty, b.rules, pos!.qty)) {
      closeQty = pos!.qty;
    }
    if (o.reduceOnly && closeQty === 0) {
      const why = `Reduce-only ${o.side} "${o.clientId}" for ${o.symbol} found no ${
        side === "long" ? "short" : "long"
      } position to reduce`;
      return this.refuse(b, o, refusal("reduce_only", `${why}; it was cancelled.`), ts);
    }
    let openQty = o.reduceOnly || closeQty >= want ? 0 : want - closeQty;
    const closeFee = closeQty * price * rate;
    const reason = exitReasonOf(o);
    if (closeQty > 0) pf.reduce(pos!, closeQty, price, closeFee, ts, reason);
    let refused: Refusal | null = null;
    let openFee = 0;
    if (openQty > 0) {
      pos = pf.position(o.symbol);
      const lev = pos === undefined ? o.leverage : pos.leverage;
      const available = pf.available();
      refused = marginFits(openQty, price, lev, rate, available) ? null : checkMargin(o.symbol, {
        qty: openQty,
        price,
        leverage: lev,
        feeRate: rate,
        available,
      });
      if (refused === null) {
        openFee = openQty * price * rate;
        pf.open(o.symbol, side, openQty, price, openFee, ts, lev);
      } else openQty = 0;
    }
    const qty = closeQty + openQty;
    if (qty > 0) {
      const fee = closeFee + openFee;
      // one literal per shape: fills are kept for the whole run, so no property added later
      const f: Fill = closeQty > 0
        ? {
          orderId: o.id,
          clientId: o.clientId,
          symbol: o.symbol,
          side: o.side,
          qty,
          price,
          fee,
          liquidity,
          ts,
          exitReason: reason,
        }
        : {
          orderId: o.id,
          clientId: o.clientId,
          symbol: o.symbol,
          side: o.side,
          qty,
          price,
          fee,
          liquidity,
          ts,
        };
      this.emit(f);
    }
    o.filled += qty;
    b.dirty = true;
    if (refused !== null) this.refuse(b, o, refused, ts);
    else if (o.filled >= o.qty * (1 - DUST)) this.remove(b, o);
    if (o.role !== "order") {
      // OCO: the other leg goes, and so does what is left of the entry
      if (o.oco?.live) this.remove(b, o.oco);
      if (o.parent?.live) this.remove(b, o.parent);
    }
    // the position this order reduced is gone or flipped: its reducers go with it
    if (closeQty > 0 && pf.position(o.symbol)?.side !== before) this.dropReducers(b);
    if (openQty > 0 && o.bracket !== undefined) this.#activateLegs(b, o, openQty, price, ts);
  }

  /** Puts the legs of entry `o` live for `qty` just filled at `price`, or grows them. */
  #activateLegs(b: Book, o: SimOrder, qty: number, price: number, ts: number): void {
    if (o.legs !== undefined) {
      for (const l of o.legs) if (l.live) l.qty += qty;
      return;
    }
    const br = o.bracket!;
    // levels in percent of the fill are placed now, from the price this entry filled at
    if (br.slPct === br.slPct || br.tpPct === br.tpPct) placeFromFill(o, price, b.rules.tickSize);
    const legs: SimOrder[] = [];
    const start = (id: string) => ({
      id,
      ts,
      armedAt: b.bars - 1,
      qty,
      fillPrice: price,
      activeLeg: this.leg,
    });
    if (br.sl === br.sl || br.trail === br.trail) legs.push(newLeg(o, "sl", start(this.nextId())));
    if (br.tp === br.tp) legs.push(newLeg(o, "tp", start(this.nextId())));
    if (legs.length === 2) {
      legs[0].oco = legs[1];
      legs[1].oco = legs[0];
    }
    for (const l of legs) this.add(b, l);
    o.legs = legs;
  }

  /** Closes the whole of `p` at `price` as a taker fill with `reason`; cancels its reducers. */
  closeOut(b: Book, p: Position, price: number, ts: number, reason: ExitReason): Fill {
    const fee = p.qty * price * this.fees.taker;
    const f: Fill = {
      orderId: this.nextId(),
      clientId: `${reason}:${p.symbol}:${ts}`,
      symbol: p.symbol,
      side: p.side === "long" ? "sell" : "buy",
      qty: p.qty,
      price,
      fee,
      liquidity: "taker",
      ts,
      exitReason: reason,
    };
    this.pf.reduce(p, p.qty, price, fee, ts, reason);
    this.emit(f);
    this.dropReducers(b);
    b.dirty = true;
    return f;
  }

  /** The position of `b` as others see it (cached until something changes). */
  view(b: Book): PositionView | undefined {
    if (!b.dirty) return b.view;
    const p = this.pf.position(b.symbol);
    b.view = p === undefined ? undefined : Object.freeze(addBracketLevels(b.orders, {
      symbol: p.symbol,
      side: p.side,
      qty: p.qty,
      entryPrice: p.entryPrice,
      entryTs: p.entryTs,
      leverage: p.leverage,
      liquidationPrice: p.liquidationPrice,
    }));
    b.dirty = false;
    return b.view;
  }
}
