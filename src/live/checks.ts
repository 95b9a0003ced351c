// The live broker's submit-time checks: shape, market, rounding to its rules, sizing at the
// latest price, minimums and the free balance (spot) or free margin at the leverage (linear
// contracts). A refusal is a value with the reason.

import type { OrderRequest, Refusal } from "../core/trading.ts";
import { sideOpened } from "../core/trading.ts";
import {
  checkMargin,
  checkMinimums,
  floorToStep,
  limitRounding,
  num,
  refusal,
  resolveQty,
  roundToTick,
  stopRounding,
  validateRequest,
} from "../core/order_rules.ts";
import { exchangeClientId } from "./client_order_id.ts";
import type { LiveOrder } from "./orders.ts";
import type { LiveLedger, MarketSource } from "./ledger.ts";

/** The collaborators and settings of {@link OrderChecks}. */
export interface OrderChecksDeps {
  /** Where the markets' rules come from. */
  markets: MarketSource;
  /** The broker's ledger: orders, marks, positions. */
  ledger: LiveLedger;
  /** Which client ids were used before (in this process or adopted at start-up). */
  clientIds: { known(clientId: string): boolean };
  /** Exchange label for sentences ("OKX"). */
  label: string;
  /** The exchange trades linear contracts live (exchanges.ts `derivatives`). */
  derivatives: boolean;
  /** The leverage contracts are traded at (the broker's `leverage`). */
  leverage: number;
}

/**
 * The live broker's checks at submit, over its ledger and the exchange's markets.
 *
 * @example
 * ```ts
 * const checks = new OrderChecks({ markets: venue, ledger, clientIds: gateway, label: "OKX",
 *   derivatives: false, leverage: 1 });
 * const res = checks.check(req, true); // { ok: true, order } or a refusal
 * ```
 */
export class OrderChecks {
  readonly #markets: MarketSource;
  readonly #ledger: LiveLedger;
  readonly #clientIds: { known(clientId: string): boolean };
  readonly #label: string;
  readonly #derivatives: boolean;
  readonly #leverage: number;

  /** Checks of orders against `deps.ledger` and `deps.markets`. */
  constructor(deps: OrderChecksDeps) {
    this.#markets = deps.markets;
    this.#ledger = deps.ledger;
    this.#clientIds = deps.clientIds;
    this.#label = deps.label;
    this.#derivatives = deps.derivatives;
    this.#leverage = deps.leverage;
  }

  /**
   * The order to queue for `req`, or why not. Prices are rounded conservatively to the tick (buy
   * limits down, sell limits up, stops away from the market); the quantity is resolved at the
   * reference price (limit, stop, else the latest mark), rounded down to the step, and an order
   * against the position capped at what it holds (it only reduces), unless on contracts the whole
   * position is already promised to exits (a flip's opening leg). Selling without a position
   * opens a short on contracts and is refused on spot; opening needs the margin. Before
   * `started` (reconciled) every order is refused.
   */
  check(
    req: OrderRequest,
    started: boolean,
  ): { ok: true; order: Omit<LiveOrder, "createdTs"> } | Refusal {
    const invalid = validateRequest(req);
    if (invalid !== null) return invalid;
    const { clientId, symbol, side } = req;
    const label = this.#label;
    if (!started) {
      return refusal(
        "not_started",
        `Order "${clientId}": the live broker for ${label} is not started; ` +
          `await broker.reconcile() before sending orders.`,
      );
    }
    if (this.#clientIds.known(clientId)) {
      return refusal(
        "duplicate_client_id",
        `Order "${clientId}" was already submitted; every order needs a new clientId.`,
      );
    }
    const m = this.#markets.market(symbol);
    if (m === undefined) {
      return refusal(
        "unknown_symbol",
        `${label} does not list "${symbol}"; check the symbol against the exchange's markets.`,
      );
    }
    if (!m.spot && !(m.linear && this.#derivatives)) {
      return refusal(
        "unsupported_market",
        m.linear
          ? `"${symbol}" is a derivatives market; live trading on ${label} supports spot ` +
            `markets only (linear perpetuals trade live on Binance USDT-M futures).`
          : `"${symbol}" is not a linear (USDT-margined) market; live trading supports spot and ` +
            `linear perpetuals only.`,
      );
    }
    if (!m.spot && req.leverage !== undefined && req.leverage !== this.#leverage) {
      return refusal(
        "unsupported_order",
        `Order "${clientId}": leverage ${num(req.leverage)} differs from the ${
          num(this.#leverage)
        }x set on ${label} for ${symbol}; live leverage is one per symbol (the bot's leverage).`,
      );
    }
    if (req.type === "trailing_stop" || req.bracket?.trailFraction !== undefined) {
      return refusal(
        "unsupported_order",
        `Order "${clientId}": trailing stops are not sent live yet.`,
      );
    }
    if (req.visibleQty !== undefined || req.tif === "IOC") {
      return refusal(
        "unsupported_order",
        `Order "${clientId}": iceberg and IOC orders are not sent live yet; send a plain order.`,
      );
    }
    const { rules } = m;
    const ledger = this.#ledger;
    const price = req.price === undefined
      ? undefined
      : roundToTick(req.price, rules.tickSize, limitRounding(side));
    const stopPrice = req.stopPrice === undefined
      ? undefined
      : roundToTick(req.stopPrice, rules.tickSize, stopRounding(side));
    const ref = price ?? stopPrice ?? ledger.mark(symbol);
    if (ref === undefined || !(ref > 0)) {
      return refusal(
        "no_price",
        `Order "${clientId}": no price is known for ${symbol} yet; pass a candle to onBar ` +
          `(or setMark) before a market order.`,
      );
    }
    const pf = ledger.portfolio;
    const pos = pf.position(symbol);
    const against = pos !== undefined && pos.side !== sideOpened(side) ? pos : undefined;
    if (req.reduceOnly && against === undefined) {
      return refusal(
        "reduce_only",
        `Reduce-only ${side} "${clientId}" for ${symbol} needs a ${
          side === "buy" ? "short" : "long"
        } position to reduce; there is none.`,
      );
    }
    if (m.spot && side === "sell" && against === undefined) {
      return refusal(
        "spot_short",
        `${symbol} is a spot market: selling needs coins this bot bought, and it holds none; ` +
          `shorts need a derivatives market.`,
      );
    }
    const raw = resolveQty(req.size, ref, pf.equity(), m.fees.taker);
    let qty = floorToStep(raw, rules.qtyStep);
    let closing = false;
    if (against !== undefined) {
      const free = floorToStep(against.qty - promisedExits(ledger, symbol), rules.qtyStep);
      // On contracts, an order that may open (not reduce-only) against a position whose whole
      // quantity is promised to exits is the second leg of a flip: it opens the other side once
      // they have filled, so it is sized and margin-checked as an opening order.
      const flipLeg = !m.spot && !req.reduceOnly && free <= 0;
      if (free <= 0 && !flipLeg) {
        return refusal(
          "nothing_to_reduce",
          `Order "${clientId}": the ${num(against.qty)} ${m.base} ${
            m.spot ? "held" : `${against.side}`
          } in ${symbol} is already ` +
            `promised to other exit orders.`,
        );
      }
      if (!flipLeg) {
        if (qty > free) qty = free;
        closing = true;
      }
    }
    const small = checkMinimums(symbol, rules, { raw, qty, price: ref, reduceOnly: closing });
    if (small !== null) return small;
    if (!closing && (side === "buy" || !m.spot)) {
      const short = checkMargin(symbol, {
        qty,
        price: ref,
        leverage: m.spot ? 1 : this.#leverage,
        feeRate: m.fees.taker,
        available: pf.available() - this.#reservedQuote(m.fees.taker),
      });
      if (short !== null) return short;
    }
    const b = req.bracket;
    const exit = side === "buy" ? "sell" : "buy";
    const bracket = b &&
        (b.sl !== undefined || b.tp !== undefined || b.slPct !== undefined || b.tpPct !== undefined)
      ? {
        ...(b.sl !== undefined
          ? { sl: roundToTick(b.sl, rules.tickSize, stopRounding(exit)) }
          : {}),
        ...(b.tp !== undefined
          ? { tp: roundToTick(b.tp, rules.tickSize, limitRounding(exit)) }
          : {}),
        // in percent of the fill: placed from the average fill price once the entry has filled
        ...(b.slPct !== undefined ? { slPct: b.slPct } : {}),
        ...(b.tpPct !== undefined ? { tpPct: b.tpPct } : {}),
      }
      : undefined;
    const id = exchangeClientId(clientId);
    if (ledger.order(id) !== undefined) {
      return refusal("duplicate_client_id", `Order "${clientId}" maps to an exchange id in use.`);
    }
    const order: Omit<LiveOrder, "createdTs"> = {
      id,
      clientId,
      exchangeClientId: id,
      symbol,
      side,
      type: req.type,
      qty,
      reduceOnly: req.reduceOnly === true || closing,
      role: "order",
      algo: req.type === "stop_market" || req.type === "stop_limit",
      status: "queued",
      filled: 0,
      netFilled: 0,
      cancelWanted: false,
    };
    if (price !== undefined) order.price = price;
    if (stopPrice !== undefined) order.stopPrice = stopPrice;
    if (bracket) order.bracket = bracket;
    if (req.exitReason) order.exitReason = req.exitReason;
    return { ok: true, order };
  }

  /**
   * Quote tied up by active orders that open positions: spot buys at remaining × price, contract
   * orders of either side at remaining × price / leverage; the taker fee on top.
   */
  #reservedQuote(taker: number): number {
    const ledger = this.#ledger;
    let r = 0;
    for (const o of ledger.active()) {
      if (o.reduceOnly || o.cancelWanted) continue;
      const spot = this.#markets.market(o.symbol)?.spot ?? true;
      if (spot && o.side !== "buy") continue;
      const px = o.price ?? o.stopPrice ?? ledger.mark(o.symbol) ?? 0;
      const notional = (o.qty - o.filled) * px;
      r += notional / (spot ? 1 : this.#leverage) + notional * taker;
    }
    return r;
  }
}

/** Quantity of `symbol` already promised to active reduce orders other than bracket legs. */
function promisedExits(ledger: LiveLedger, symbol: string): number {
  let q = 0;
  for (const o of ledger.active(symbol)) {
    if (o.reduceOnly && o.role === "order" && !o.cancelWanted) q += o.qty - o.filled;
  }
  return q;
}
