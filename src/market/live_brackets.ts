// Exit legs of a filled live entry: a stop-market and a take-profit, reduce-only, one cancels
// the other (the broker keeps the OCO: it cancels the partner when one fills).

import type { Refusal } from "../core/trading.ts";
import type { Position } from "../engine/portfolio.ts";
import { floorToStep, num, refusal } from "../engine/order_rules.ts";
import { exchangeClientId } from "./client_order_id.ts";
import type { LiveMarket } from "./live_market.ts";
import type { LiveOrder } from "./live_orders.ts";

/**
 * The legs for `entry` (filled, with a bracket), sized to what it added to the position
 * (net of fees paid in the base currency), rounded down to the step and capped by the position.
 * Client ids are the entry's plus ":sl" / ":tp". The stop is a trigger order; the take-profit a
 * limit, sent as a trigger at its price where `m.exitsAsTriggers` (spot: see LiveMarket).
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
  const b = entry.bracket ?? {};
  if (b.sl !== undefined) legs.push(Object.assign(leg("sl"), { stopPrice: b.sl }));
  if (b.tp !== undefined) legs.push(Object.assign(leg("tp"), { price: b.tp }));
  if (legs.length === 2) (legs[0].oco = legs[1], legs[1].oco = legs[0]);
  return { ok: true, legs };
}
