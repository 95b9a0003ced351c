// Exit legs of a filled live entry: a stop-market and a take-profit, reduce-only, one cancels
// the other (the broker keeps the OCO: it cancels the partner when one fills), and when.
// Brackets decides; the order gateway sends and cancels what it says.

import type { Refusal } from "../core/trading.ts";
import type { Position } from "../account/portfolio.ts";
import { floorToStep, legFromFill, num, refusal } from "../core/order_rules.ts";
import { exchangeClientId } from "./client_order_id.ts";
import type { Clock } from "../core/ports.ts";
import type { LiveMarket } from "./market.ts";
import { isActive, type LiveOrder } from "./orders.ts";
import type { LiveLedger } from "./ledger.ts";
import type { LiveVenue } from "./venue.ts";

/**
 * The legs for `entry` (filled, with a bracket), sized to what it added to the position
 * (net of fees paid in the base currency), rounded down to the step and capped by the position.
 * Client ids are the entry's plus ":sl" / ":tp". The stop is a trigger order; the take-profit a
 * limit, sent as a trigger at its price where `m.exitsAsTriggers` (spot: see LiveMarket), and
 * as a take-profit-market trigger where `m.takeProfitMarket` (contracts; see placeSpec).
 */
export function bracketLegs(
  entry: LiveOrder,
  m: LiveMarket,
  pos: Position,
): { ok: true; legs: LiveOrder[] } | Refusal {
  const qty = floorToStep(Math.min(entry.netFilled, pos.qty), m.rules.qtyStep);
  if (!(qty > 0) || qty < m.rules.minQty) {
    return refusal(
      "bracket_too_small",
      `The exits of "${entry.clientId}" would be ${num(qty)} ${m.base}, below the exchange ` +
        `minimum ${num(m.rules.minQty)}; the position in ${entry.symbol} has no stop: ` +
        `close it or protect it by hand.`,
    );
  }
  const side = entry.side === "buy" ? "sell" : "buy";
  const leg = (role: "sl" | "tp"): LiveOrder => {
    const clientId = `${entry.clientId}:${role}`;
    const id = exchangeClientId(clientId);
    return {
      id,
      clientId,
      exchangeClientId: id,
      symbol: entry.symbol,
      side,
      type: role === "sl" ? "stop_market" : "limit",
      qty,
      reduceOnly: true,
      role,
      algo: role === "sl" || m.exitsAsTriggers,
      parent: entry,
      createdTs: entry.createdTs,
      status: "queued",
      filled: 0,
      netFilled: 0,
      cancelWanted: false,
    };
  };
  const legs: LiveOrder[] = [];
  const { sl, tp } = levelsOf(entry, m);
  if (sl !== undefined) legs.push(Object.assign(leg("sl"), { stopPrice: sl }));
  if (tp !== undefined) legs.push(Object.assign(leg("tp"), { price: tp }));
  if (legs.length === 2) (legs[0].oco = legs[1], legs[1].oco = legs[0]);
  return { ok: true, legs };
}

/**
 * The stop and target of `entry`'s bracket as prices: absolute levels as sent, percentages from
 * the entry's average fill price, rounded to the tick on the exit's conservative side.
 */
export function levelsOf(
  entry: LiveOrder,
  m: LiveMarket,
): { sl: number | undefined; tp: number | undefined } {
  const b = entry.bracket ?? {};
  const fill = entry.filled > 0 ? (entry.fillValue ?? NaN) / entry.filled : NaN;
  const tick = m.rules.tickSize;
  return {
    sl: b.slPct !== undefined && fill === fill
      ? legFromFill(fill, b.slPct, entry.side, "sl", tick)
      : b.sl,
    tp: b.tpPct !== undefined && fill === fill
      ? legFromFill(fill, b.tpPct, entry.side, "tp", tick)
      : b.tp,
  };
}

/** What to do after an order's fill or cancel: legs to send, then orders to cancel. */
export interface BracketWork {
  send: LiveOrder[];
  cancel: LiveOrder[];
}

/**
 * The exits of the live broker's entries: which legs go out when an entry fills (or ends
 * cancelled partly filled), the partner to cancel when a leg fills (OCO), and the exits to
 * cancel when the position is flat.
 *
 * @example
 * ```ts
 * const brackets = new Brackets(ledger, venue, clock);
 * const work = brackets.afterFill(order); // the gateway sends work.send, cancels work.cancel
 * ```
 */
export class Brackets {
  readonly #ledger: LiveLedger;
  readonly #venue: LiveVenue;
  readonly #clock: Clock;

  /** Brackets over `ledger`'s orders and positions; refusals are timed by `clock`. */
  constructor(ledger: LiveLedger, venue: LiveVenue, clock: Clock) {
    this.#ledger = ledger;
    this.#venue = venue;
    this.#clock = clock;
  }

  /**
   * After a fill of `o`: a filled entry gets its exits, a filled leg's partner is cancelled
   * (OCO), and a flat position has every exit left for its symbol cancelled.
   */
  afterFill(o: LiveOrder): BracketWork {
    const work: BracketWork = { send: [], cancel: [] };
    const pos = this.#ledger.portfolio.position(o.symbol);
    if (o.status === "filled" && o.bracket && !o.legs && pos !== undefined) {
      work.send = this.legsFor(o);
    }
    if (o.status === "filled" && o.oco && isActive(o.oco)) work.cancel.push(o.oco);
    if (pos === undefined) {
      for (const x of this.#ledger.active(o.symbol)) if (x.reduceOnly) work.cancel.push(x);
    }
    return work;
  }

  /** After `o` ended cancelled: a partly filled entry still gets exits for what it added. */
  afterCancel(o: LiveOrder): BracketWork {
    const pos = this.#ledger.portfolio.position(o.symbol);
    const send = o.netFilled > 0 && o.bracket && !o.legs && pos !== undefined
      ? this.legsFor(o)
      : [];
    return { send, cancel: [] };
  }

  /**
   * The exit legs of filled `entry`, linked to it (`entry.legs`), to be sent; none when they
   * would be too small, which is recorded as a refusal and logged.
   */
  legsFor(entry: LiveOrder): LiveOrder[] {
    const m = this.#venue.market(entry.symbol)!;
    const res = bracketLegs(entry, m, this.#ledger.portfolio.position(entry.symbol)!);
    if (!res.ok) {
      this.#ledger.refuse(entry, res.code, res.reason, this.#clock.now());
      this.#venue.log("error", "bracket not placed", {
        clientId: entry.clientId,
        reason: res.reason,
      });
      return [];
    }
    entry.legs = res.legs;
    return res.legs;
  }
}
