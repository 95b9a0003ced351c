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

import type { Candle, CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type {
  ExitReason,
  FeeSchedule,
  Fill,
  MarketRules,
  OrderRequest,
  PositionView,
  Refusal,
  Trade,
} from "../core/trading.ts";
import { fillAtOpen, walkCandle } from "./bar_walk.ts";
import { isFundingTime, sideOpened, slip } from "./fill_rules.ts";
import {
  checkMargin,
  checkMinimums,
  floorToStep,
  num,
  refusal,
  validateRequest,
} from "./order_rules.ts";
import type { Accepted, Broker, OrderView } from "./ports.ts";
import { type RecordedRefusal, SimExecution } from "./sim_execution.ts";
import { newOrder, orderView } from "./sim_orders.ts";

export type { RecordedRefusal } from "./sim_execution.ts";

/** Per-8h funding rate: one constant, or a series looked up by the latest rate at or before. */
export type FundingSource = { rate: number } | { ts: Float64Array; rate: Float64Array };

/** How the simulated broker behaves. */
export interface SimBrokerOptions {
  /** Starting wallet balance in quote currency (required). */
  cash: number;
  /** Fee rates per fill (default maker 0.0002, taker 0.0005). */
  fees?: FeeSchedule;
  /** Slippage on market, stop-market, trailing and close-out fills, against the trader (default 0). */
  slippageBps?: number;
  /** Exchange rules by symbol (default: no rounding, no minimums). */
  rules?: Record<string, MarketRules>;
  /** Leverage of positions opened by orders that do not set one (default 1). */
  leverage?: number;
  /** Maintenance margin rate used in liquidation prices (default 0.005). */
  maintenanceMarginRate?: number;
  /** Funding rate per 8 hours (default none). */
  funding?: FundingSource;
  /** Order ids are `${idPrefix}${n}`, n counting from 1 (default "sim-"). */
  idPrefix?: string;
}

/** Default fees: maker 0.02 %, taker 0.05 %. */
export const DEFAULT_FEES: Readonly<FeeSchedule> = Object.freeze({ maker: 0.0002, taker: 0.0005 });

/** The shared answer of a bar with nothing to do (frozen: never push to it). */
const EMPTY = Object.freeze([]) as unknown as Fill[];

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

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
  readonly #ex: SimExecution;
  readonly #leverage: number;
  readonly #mmr: number;
  readonly #funding: FundingSource | undefined;
  readonly #clientIds = new Set<string>();

  constructor(options: SimBrokerOptions) {
    const o = options;
    const fees = o.fees ?? DEFAULT_FEES;
    this.#leverage = o.leverage ?? 1;
    this.#mmr = o.maintenanceMarginRate ?? 0.005;
    const bps = o.slippageBps ?? 0;
    const bad = (what: string) => new ConfigError(`SimBroker: ${what}.`);
    if (!finite(o.cash) || o.cash < 0) throw bad(`cash ${o.cash} is not a number of at least 0`);
    if (!finite(fees.maker) || !finite(fees.taker) || fees.maker < 0 || fees.taker < 0) {
      throw bad(`fees ${JSON.stringify(fees)} need maker and taker rates of at least 0`);
    }
    if (!finite(bps) || bps < 0) throw bad(`slippageBps ${bps} is not a number of at least 0`);
    if (!finite(this.#leverage) || this.#leverage < 1) {
      throw bad(`leverage ${this.#leverage} is not a number of at least 1`);
    }
    if (!finite(this.#mmr) || this.#mmr < 0 || this.#mmr >= 1 / this.#leverage) {
      throw bad(
        `maintenanceMarginRate ${this.#mmr} must be at least 0 and below 1/leverage (${
          num(1 / this.#leverage)
        })`,
      );
    }
    for (const [symbol, r] of Object.entries(o.rules ?? {})) {
      if (![r.tickSize, r.qtyStep, r.minQty, r.minNotional].every((x) => finite(x) && x >= 0)) {
        throw bad(`rules for "${symbol}" need tickSize, qtyStep, minQty and minNotional >= 0`);
      }
    }
    this.#funding = checkFunding(o.funding, bad);
    this.#ex = new SimExecution(o.cash, this.#mmr, fees, bps, o.rules ?? {}, o.idPrefix ?? "sim-");
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
    const { clientId, symbol } = req;
    if (this.#clientIds.has(clientId)) {
      return refusal(
        "duplicate_client_id",
        `Order "${clientId}" was already submitted; every order needs a new clientId.`,
      );
    }
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
    const o = newOrder(req, "", ts, b.bars, b.rules, orderLev, NaN, b.mark);
    if (req.size.kind === "qty") {
      const qty = floorToStep(req.size.qty, b.rules.qtyStep);
      const ref = o.type === "limit" || o.type === "stop_limit"
        ? o.price
        : o.type === "stop_market"
        ? o.stopPrice
        : b.mark;
      const small = checkMinimums(symbol, req.size.qty, qty, ref, b.rules, o.reduceOnly);
      if (small !== null) return small;
      const closeQty = against === undefined ? 0 : Math.min(qty, against.qty);
      if (!o.reduceOnly && ref === ref && qty > closeQty) {
        const rate = o.type === "limit" ? ex.fees.maker : ex.fees.taker;
        const avail = against === undefined
          ? ex.pf.available()
          : ex.pf.availableAfterClose(against, closeQty, ref, closeQty * ref * rate);
        const lev = pos?.side === sideOpened(req.side) ? pos.leverage : orderLev;
        const short = checkMargin(symbol, qty - closeQty, ref, lev, rate, avail);
        if (short !== null) return short;
      }
      o.qty = qty;
    }
    o.id = ex.nextId();
    ex.add(b, o);
    this.#clientIds.add(clientId);
    return { ok: true, orderId: o.id };
  }

  /** Cancels one order (a bracket leg alone leaves its partner live); false when not open. */
  cancel(orderId: string): boolean {
    const o = this.#ex.live.get(orderId);
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
    if (p === undefined && b.orders.length === 0) {
      b.mark = bar.close;
      return EMPTY;
    }
    // 1. funding
    if (p !== undefined && this.#funding !== undefined && isFundingTime(bar.ts)) {
      const rate = this.#rateAt(bar.ts);
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
    const b = this.#ex.books.get(symbol);
    return b === undefined ? undefined : this.#ex.view(b);
  }

  /** Open orders (of one symbol when given) in id order. */
  openOrders(symbol?: string): readonly OrderView[] {
    const out: OrderView[] = [];
    for (const b of this.#ex.books.values()) {
      if (symbol !== undefined && b.symbol !== symbol) continue;
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
    return this.#ex.pf.trades;
  }

  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number } {
    return this.#ex.pf.costs();
  }

  /** Orders cancelled at fill time and why (too small once sized, no margin, nothing to reduce). */
  refusals(): readonly RecordedRefusal[] {
    return this.#ex.refusals;
  }

  /** Every fill so far, in order (those returned by onBar and closePosition). */
  fills(): readonly Fill[] {
    return this.#ex.fills;
  }

  /** Funding rate at `ts`: the constant, or the latest series rate at or before it (else 0). */
  #rateAt(ts: number): number {
    const f = this.#funding!;
    if (!("ts" in f)) return f.rate;
    let lo = 0;
    let hi = f.ts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (f.ts[mid] <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : f.rate[found];
  }
}

/** Checks a funding option, throwing `bad(...)` with what is wrong. */
function checkFunding(
  f: FundingSource | undefined,
  bad: (what: string) => Error,
): FundingSource | undefined {
  if (f === undefined) return undefined;
  if (!("ts" in f)) {
    if (!finite(f.rate)) throw bad(`funding rate ${f.rate} is not a number`);
    return f;
  }
  if (f.ts.length !== f.rate.length) {
    throw bad(`funding series has ${f.ts.length} times but ${f.rate.length} rates`);
  }
  for (let i = 0; i < f.ts.length; i++) {
    if (!finite(f.ts[i]) || !finite(f.rate[i]) || (i > 0 && f.ts[i] <= f.ts[i - 1])) {
      throw bad(`funding series entry ${i} is not finite or not after the one before`);
    }
  }
  return f;
}
