// SimBroker: the simulated broker used by backtests and paper trading; fills orders from candles.
//
// Accounting model. Every position is a linear, USDT-margined contract with isolated margin; a
// 1x long behaves exactly like spot. One net position per symbol: an opposite order first
// reduces or closes it, and what is left opens the other side (a flip); reduce-only orders never
// open or flip. The wallet balance changes by realised P&L, fees (every fill pays maker or taker
// rate × notional) and funding. Equity = balance + unrealised P&L at the latest mark (the close of
// the last bar). Opening needs the initial margin `notional / leverage` plus the fee to be
// available (`balance - used margin`), else `insufficient_margin`. Liquidation price (isolated):
// long `entry * (1 - 1/lev + mmr)`, short `entry * (1 + 1/lev - mmr)`; a 1x long never. Funding:
// at each 00:00/08:00/16:00 UTC that is a bar's open time, an open position pays
// `qty * bar.open * rate` if long (receives when the rate is negative), the reverse if short.
//
// Order of processing within one onBar (per symbol):
//   1. Funding, when bar.ts is a funding time and a position is open (before any fill, so a
//      position opened at this open does not pay it).
//   2. Pending market orders (and the remainder of triggered stop icebergs) fill at the OPEN,
//      plus slippage, taker fee, oldest first. Orders are eligible from the first bar passed to
//      onBar after they were submitted.
//   3. Bracket legs of entries that just filled go live at once (this happens at every entry
//      fill, in steps 2 and 4), so an entry filled at the open can exit on this bar's range.
//   4. Resting stops, limits, trailing stops and the liquidation price are walked along the
//      candle's pessimistic path (see bar_walk.ts): first whatever the open is already beyond
//      (gaps fill at the open), then open → adverse extreme → other extreme → close, filling each
//      order where the path reaches it; on a tie liquidation, then stops, then limits. So
//      liquidation and stops come before limits / take-profits in one bar. With `lower` candles,
//      each lower candle is walked in turn instead, which decides what came first.
//   5. Marks: the position is marked to the close; IOC orders that had their bar are cancelled.
//
// Fill prices: limits at the limit or a better open, maker, no slippage; stop-market and trailing
// at the stop or a worse open, plus slippage, taker. A stop-limit, once its stop is reached,
// becomes a limit at `price`: when the trigger price is within that limit it fills there at once
// (taker), else it rests and fills (maker) if the rest of the path, this bar or later, reaches it.
// Sizes resolve at the first fill against equity at the latest marks; bracket legs, reduce-only
// orders and close-outs skip the minimum notional; iceberg slices are not checked one by one.

import type { Candle, CandleColumns } from "../core/candles.ts";
import type {
  ExitReason,
  Fill,
  OrderRequest,
  PositionView,
  Refusal,
  Trade,
} from "../core/trading.ts";
import { fillAtOpen, walkCandle } from "./bar_walk.ts";
import { isFundingTime, slip } from "./fill_rules.ts";
import { sideOpened } from "../core/trading.ts";
import { IdSet } from "./id_set.ts";
import {
  checkSubmit,
  floorToStep,
  isWhole,
  meetsMinimums,
  num,
  refusal,
  validateRequest,
} from "../core/order_rules.ts";
import type { Accepted, Broker, OrderRefusal, OrderView } from "../core/ports.ts";
import type { Position } from "../account/portfolio.ts";
import { type Book, type RecordedRefusal, SimExecution } from "./execution.ts";
import {
  fundingRateAt,
  type FundingSource,
  resolveOptions,
  type SimBrokerOptions,
} from "./options.ts";
import { newOrder, orderView, type SimOrder } from "./orders.ts";
import type { RunLog } from "./run_log.ts";

export type { RecordedRefusal } from "./execution.ts";
export { DEFAULT_FEES, type FundingSource, type SimBrokerOptions } from "./options.ts";

/** The shared answer of a bar with nothing to do (frozen: never push to it). */
const EMPTY = Object.freeze([]) as unknown as Fill[];

/** The shared answer of a symbol without open orders. */
const NO_ORDERS: readonly OrderView[] = Object.freeze([]);

/**
 * A broker that fills orders from candles by fixed, documented rules (the header of this file
 * and bar_walk.ts). Deterministic: same options, orders and candles give the same fills and ids.
 *
 * @example
 * ```ts
 * const broker = new SimBroker({ cash: 10_000, slippageBps: 2 });
 * broker.submit({ clientId: "d1", symbol: "BTC/USDT", side: "buy", type: "market",
 *   size: { kind: "equity", fraction: 0.5 }, bracket: { sl: 58_000, tp: 66_000 } }, bar.ts);
 * const fills = broker.onBar("BTC/USDT", nextBar); // entry at nextBar.open (+ slippage)
 * ```
 */
export class SimBroker implements Broker {
  #refusalsTaken = 0;
  readonly #ex: SimExecution;
  readonly #leverage: number;
  readonly #mmr: number;
  readonly #funding: FundingSource | undefined;
  readonly #clientIds = new IdSet();

  /** A broker with `options` (see SimBrokerOptions for defaults); throws ConfigError when bad. */
  constructor(options: SimBrokerOptions) {
    const o = resolveOptions(options);
    this.#leverage = o.leverage;
    this.#mmr = o.maintenanceMarginRate;
    this.#funding = o.funding;
    this.#ex = new SimExecution(o);
  }

  /**
   * Accepts an order or refuses it with a reason. Limit and stop prices (and bracket levels)
   * are rounded to the tick conservatively; a fixed quantity is rounded down to the step and
   * checked against the minimums and the margin at the reference price (the limit or stop price,
   * else the latest close; checks needing an unknown price wait for the fill).
   */
  submit(req: OrderRequest, ts: number): Accepted | Refusal {
    const invalid = validateRequest(req);
    if (invalid !== null) return invalid;
    const { clientId } = req;
    const idHash = IdSet.hash(clientId);
    if (this.#clientIds.has(clientId, idHash)) {
      return refusal(
        "duplicate_client_id",
        `Order "${clientId}" was already submitted; every order needs a new clientId.`,
      );
    }
    const res = this.#accept(req, ts);
    if (res.ok) this.#clientIds.add(clientId, idHash);
    return res;
  }

  /** The checks of a request with a new client id; adds the order to its book when they pass. */
  #accept(req: OrderRequest, ts: number): Accepted | Refusal {
    const { clientId, symbol } = req;
    const ex = this.#ex;
    const b = ex.book(symbol);
    const pos = ex.pf.position(symbol);
    const against = pos !== undefined && pos.side !== sideOpened(req.side) ? pos : undefined;
    if (req.reduceOnly && against === undefined) {
      return refusal(
        "reduce_only",
        `Reduce-only ${req.side} "${clientId}" for ${symbol} needs a ${
          req.side === "buy" ? "short" : "long"
        } position to reduce; there is none.`,
      );
    }
    const orderLev = req.leverage ?? this.#leverage;
    if (this.#mmr >= 1 / orderLev) {
      return refusal(
        "invalid_order",
        `Order "${clientId}": leverage ${
          num(orderLev)
        } is too high for the maintenance margin rate ${num(this.#mmr)}.`,
      );
    }
    const o = newOrder(req, "", ts, b.bars, b.rules, orderLev, b.mark);
    if (req.size.kind === "qty") {
      const refused = this.#fixQty(o, req.size.qty, b, pos, against);
      if (refused !== null) return refused;
    }
    o.id = ex.nextId();
    ex.add(b, o);
    return { ok: true, orderId: o.id };
  }

  /**
   * Rounds the fixed quantity `raw` of `o` down to the step and checks it against the minimums
   * and the margin at the reference price; sets `o.qty`, or returns why not.
   */
  #fixQty(
    o: SimOrder,
    raw: number,
    b: Book,
    pos: Position | undefined,
    against: Position | undefined,
  ): Refusal | null {
    const ex = this.#ex;
    // closing a whole position: its exact quantity, never re-rounded
    const qty = against !== undefined && isWhole(raw, against.qty)
      ? against.qty
      : floorToStep(raw, b.rules.qtyStep);
    const ref = o.type === "limit" || o.type === "stop_limit"
      ? o.price
      : o.type === "stop_market"
      ? o.stopPrice
      : b.mark;
    const closeQty = against === undefined ? 0 : Math.min(qty, against.qty);
    // an exit (nothing to open) that meets the minimums: no margin to check, no check object
    if ((o.reduceOnly || qty <= closeQty) && meetsMinimums(b.rules, qty, ref, o.reduceOnly)) {
      o.qty = qty;
      return null;
    }
    const rate = o.type === "limit" ? ex.fees.maker : ex.fees.taker;
    const refused = checkSubmit(o.symbol, b.rules, {
      raw,
      qty,
      price: ref,
      reduceOnly: o.reduceOnly,
      closeQty,
      feeRate: rate,
      leverage: pos?.side === sideOpened(o.side) ? pos.leverage : o.leverage,
      available: against === undefined
        ? ex.pf.available()
        : ex.pf.availableAfterClose(against, closeQty, ref, closeQty * ref * rate),
    });
    if (refused === null) o.qty = qty;
    return refused;
  }

  /** Cancels one order (a bracket leg alone leaves its partner live); false when not open. */
  cancel(orderId: string): boolean {
    const o = this.#ex.findOrder(orderId);
    if (o === undefined) return false;
    this.#ex.remove(this.#ex.book(o.symbol), o);
    return true;
  }

  /** Cancels every open order, of one symbol when given. */
  cancelAll(symbol?: string): void {
    for (const b of this.#ex.books.values()) {
      if (symbol !== undefined && b.symbol !== symbol) continue;
      for (let i = b.orders.length - 1; i >= 0; i--) this.#ex.remove(b, b.orders[i]);
    }
  }

  /**
   * Advances one closed candle of `symbol` in the order documented at the top of this file and
   * returns its fills (a shared empty array when there are none).
   */
  onBar(symbol: string, bar: Candle, lower?: CandleColumns): Fill[] {
    const ex = this.#ex;
    const b = ex.book(symbol);
    b.bars++;
    const p = ex.pf.position(symbol);
    // Most candles have nothing to fill: no orders, and no position or one that can be neither
    // liquidated (1x long) nor charged funding now. Kept short, so that V8 inlines it into the
    // engine's step; the rest is in #busyBar.
    if (b.orders.length === 0) {
      if (p === undefined) {
        b.mark = bar.close;
        return EMPTY;
      }
      if (
        p.liquidationPrice !== p.liquidationPrice &&
        (this.#funding === undefined || !isFundingTime(bar.ts))
      ) {
        b.mark = bar.close;
        p.mark = bar.close;
        return EMPTY;
      }
    }
    return this.#busyBar(b, p, bar, lower);
  }

  /** {@link onBar} of a candle with orders, funding due or a liquidation price to watch. */
  #busyBar(b: Book, p: Position | undefined, bar: Candle, lower?: CandleColumns): Fill[] {
    const ex = this.#ex;
    const symbol = b.symbol;
    // 1. funding
    if (p !== undefined && this.#funding !== undefined && isFundingTime(bar.ts)) {
      const rate = fundingRateAt(this.#funding, bar.ts);
      if (rate !== 0) ex.pf.fund(p, bar.open, rate);
    }
    // 2. market orders at the open (3. their bracket legs go live as they fill)
    if (b.orders.length > 0) fillAtOpen(ex, b, bar.open, bar.ts);
    // 4. resting orders and liquidation along the path, per lower candle when given
    const q = ex.pf.position(symbol);
    if (b.orders.length > 0 || (q !== undefined && q.liquidationPrice === q.liquidationPrice)) {
      if (lower !== undefined && lower.ts.length > 0) {
        for (let j = 0; j < lower.ts.length; j++) {
          walkCandle(
            ex,
            b,
            lower.open[j],
            lower.high[j],
            lower.low[j],
            lower.close[j],
            lower.ts[j],
          );
        }
      } else walkCandle(ex, b, bar.open, bar.high, bar.low, bar.close, bar.ts);
    }
    // 5. marks and IOC
    b.mark = bar.close;
    const r = ex.pf.position(symbol);
    if (r !== undefined) r.mark = bar.close;
    for (let i = b.orders.length - 1; i >= 0; i--) {
      const o = b.orders[i];
      if (o.ioc && o.armedAt < b.bars) ex.remove(b, o);
    }
    const out = ex.out;
    ex.out = null;
    return out ?? EMPTY;
  }

  /**
   * Closes the whole position in `symbol` at `price` (with slippage against it) as a taker,
   * after cancelling that symbol's open orders; undefined when flat.
   */
  closePosition(symbol: string, price: number, ts: number, reason: ExitReason): Fill | undefined {
    this.cancelAll(symbol);
    const ex = this.#ex;
    const p = ex.pf.position(symbol);
    if (p === undefined) return undefined;
    const f = ex.closeOut(
      ex.book(symbol),
      p,
      slip(price, p.side === "long" ? "sell" : "buy", ex.slippageBps),
      ts,
      reason,
    );
    ex.out = null;
    return f;
  }

  /** The open position in `symbol`, with its bracket's current sl / tp, or undefined. */
  position(symbol: string): PositionView | undefined {
    const b = this.#ex.findBook(symbol);
    return b === undefined ? undefined : this.#ex.view(b);
  }

  /** Open orders (of one symbol when given) in id order. */
  openOrders(symbol?: string): readonly OrderView[] {
    if (symbol !== undefined) {
      // the engine asks for one symbol's orders on every decision: no scan of every book
      const b = this.#ex.findBook(symbol);
      return b === undefined || b.orders.length === 0 ? NO_ORDERS : b.orders.map(orderView);
    }
    const out: OrderView[] = [];
    for (const b of this.#ex.books.values()) {
      for (const o of b.orders) out.push(orderView(o));
    }
    return out;
  }

  /** Wallet balance plus unrealised P&L at the latest marks. */
  equity(): number {
    return this.#ex.pf.equity();
  }

  /** Wallet balance: cash after realised P&L, fees and funding. */
  balance(): number {
    return this.#ex.pf.balance;
  }

  /** Closed round trips (and closed parts) so far, in closing order; pnl net of fees and funding. */
  trades(): readonly Trade[] {
    return this.#ex.log.trades();
  }

  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number } {
    return this.#ex.pf.costs();
  }

  /** Refusals not handed out yet (Broker port; see {@link refusals} for all of them). */
  takeRefusals(): readonly OrderRefusal[] {
    const all = this.refusals();
    if (all.length === this.#refusalsTaken) return NO_REFUSALS;
    const fresh = all.slice(this.#refusalsTaken);
    this.#refusalsTaken = all.length;
    return fresh;
  }

  /** Orders cancelled at fill time and why (too small once sized, no margin, nothing to reduce). */
  refusals(): readonly RecordedRefusal[] {
    return this.#ex.log.refusals();
  }

  /** Every fill so far, in order (those returned by onBar and closePosition). */
  fills(): readonly Fill[] {
    return this.#ex.log.fills();
  }

  /**
   * What this broker's run recorded: its fills, trades and refusals, and the decisions of the
   * engine that was given it as its recorder (see simulate in backtest/run.ts).
   */
  get history(): RunLog {
    return this.#ex.log;
  }
}

const NO_REFUSALS: readonly OrderRefusal[] = Object.freeze([]);
