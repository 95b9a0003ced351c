// Exit legs of a filled live entry: a stop-market and a take-profit, reduce-only, one cancels
// the other (the broker keeps the OCO: it cancels the partner when one fills), and when.

import type { Refusal } from "../core/trading.ts";
import type { Position } from "../account/portfolio.ts";
import { floorToStep, legFromFill, num, refusal } from "../core/order_rules.ts";
import { exchangeClientId } from "./client_order_id.ts";
import type { LiveMarket } from "./market.ts";
import { isActive, type LiveBook, type LiveOrder } from "./orders.ts";

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

/** What keeping brackets needs from the broker. */
export interface BracketHost {
  book: LiveBook;
  market(symbol: string): LiveMarket | undefined;
  now(): number;
  log(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
  /** Cancels an order by id (false when not open). */
  cancel(orderId: string): boolean;
  /** Tracks a new order and queues its send. */
  send(o: LiveOrder): void;
}

/**
 * After a fill of `o`: a filled entry gets its exits, a filled leg's partner is cancelled (OCO),
 * and a flat position has every exit left for its symbol cancelled.
 */
export function afterFill(h: BracketHost, o: LiveOrder): void {
  const pos = h.book.pf.position(o.symbol);
  if (o.status === "filled" && o.bracket && !o.legs && pos !== undefined) placeLegs(h, o);
  if (o.status === "filled" && o.oco && isActive(o.oco)) h.cancel(o.oco.id);
  if (pos === undefined) {
    for (const x of h.book.active(o.symbol)) if (x.reduceOnly) h.cancel(x.id);
  }
}

/** After `o` ended cancelled: a partly filled entry still gets exits for what it added. */
export function afterCancel(h: BracketHost, o: LiveOrder): void {
  const pos = h.book.pf.position(o.symbol);
  if (o.netFilled > 0 && o.bracket && !o.legs && pos !== undefined) placeLegs(h, o);
}

/** Queues the exit legs of filled `entry`, or records (and logs) why there are none. */
export function placeLegs(h: BracketHost, entry: LiveOrder): void {
  const m = h.market(entry.symbol)!;
  const res = bracketLegs(entry, m, h.book.pf.position(entry.symbol)!);
  if (!res.ok) {
    h.book.refuse(entry, res.code, res.reason, h.now());
    h.log("error", "bracket not placed", { clientId: entry.clientId, reason: res.reason });
    return;
  }
  entry.legs = res.legs;
  for (const leg of res.legs) h.send(leg);
}
