// Polling an exchange for what happened to the live broker's orders: fills, orders that left
// the open list (filled or cancelled elsewhere), trigger orders that fired, unclear sends.

import type { Exchange, Order, Trade } from "ccxt";
import type { Clock } from "../core/ports.ts";
import type { IntentRecords, OrderJournal } from "../core/order_journal.ts";
import {
  type CallOptions,
  fetchOrderById,
  firedOrderId,
  lookupOrder,
  openOrdersAt,
  recentFills,
} from "./exchange_orders.ts";
import { fromContracts, type LiveMarket } from "./market.ts";
import type { IncomingFill, LiveBook, LiveOrder } from "./orders.ts";

/** What polling, sending and reconciling need from the broker. */
export interface LiveCore {
  /** Exchange name for the journal ("okx"). */
  name: string;
  /** `text` with the API keys replaced by "***". */
  redact(text: string): string;
  /** Called when an order is acknowledged (a cancel asked meanwhile is sent now). */
  afterAck(o: LiveOrder): void;
  ex: Exchange;
  journal: OrderJournal;
  book: LiveBook;
  call: CallOptions;
  clock: Clock;
  market(symbol: string): LiveMarket | undefined;
  /** Called after each booked fill of `o` (brackets, OCO, flat-position clean-up). */
  afterFill(o: LiveOrder): void;
  /** Called when `o` ended cancelled (possibly partly filled). */
  afterCancel(o: LiveOrder): void;
  /**
   * Gets `symbol` ready for orders (contracts: leverage and margin mode set once); resolves to
   * why it could not, else undefined. Unset: nothing to prepare.
   */
  prepare?(symbol: string): Promise<string | undefined>;
  log(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
  /** The records journaled with the intent of order `clientId` (CcxtBroker.intentRecords). */
  records?(clientId: string): IntentRecords | undefined;
}

/** Quantity tolerance: a remainder below this fraction counts as filled. */
const EPS = 1e-9;

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

/** The local order a trade belongs to: by exchange order id, else by our client id. */
function ownerOf(core: LiveCore, t: Trade): LiveOrder | undefined {
  const byId = core.book.byExchangeId.get(String(t.order ?? ""));
  if (byId) return byId;
  const cl = (t.info as Record<string, unknown> | undefined)?.clOrdId;
  return typeof cl === "string" && cl !== "" ? core.book.orders.get(cl) : undefined;
}

/** Books the trades not seen before that belong to our orders, oldest first. */
export async function bookTrades(core: LiveCore, trades: readonly Trade[]): Promise<void> {
  const sorted = [...trades].sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
  for (const t of sorted) {
    if (core.book.seenTrades.has(String(t.id))) continue;
    const o = ownerOf(core, t);
    if (o === undefined) continue; // not ours (or not linked yet): left for a later look
    const f = incomingFill(t, core.market(o.symbol));
    core.book.book(o, f);
    const { exchangeOrderId: _, ...jf } = f;
    await core.journal.fill(o.clientId, jf);
    if (o.filled >= o.qty * (1 - EPS) && o.status !== "filled") {
      o.status = "filled";
      await core.journal.filled(o.clientId, core.clock.now());
    }
    core.afterFill(o);
  }
}

/** Acknowledges `o` under the exchange's `id`. */
export async function acknowledge(core: LiveCore, o: LiveOrder, id: string): Promise<void> {
  o.exchangeOrderId = id;
  core.book.linkExchangeId(o, id);
  if (o.status === "unknown" || o.status === "sending" || o.status === "queued") o.status = "open";
  await core.journal.ack(o.clientId, id, core.clock.now());
  core.afterAck(o);
}

/** Ends `o` as cancelled at the exchange. */
export async function markCancelled(core: LiveCore, o: LiveOrder): Promise<void> {
  if (o.status === "filled" || o.status === "cancelled") return;
  o.status = "cancelled";
  await core.journal.cancelled(o.clientId, core.clock.now());
  core.afterCancel(o);
}

/** Books the fills of one exchange order (by its ordId) that are not booked yet. */
async function fillsOfOrder(core: LiveCore, symbol: string, ordId: string): Promise<void> {
  await bookTrades(core, await recentFills(core.ex, symbol, core.call, ordId));
}

/** Brings `o` in line with the exchange's `order` (it is no longer in the open list). */
export async function settle(core: LiveCore, o: LiveOrder, order: Order): Promise<void> {
  const info = (order.info ?? {}) as Record<string, unknown>;
  if (o.algo) {
    const fired = firedOrderId(order);
    if (fired && o.firedOrderId === undefined) {
      o.firedOrderId = fired;
      core.book.linkExchangeId(o, fired);
    }
    if (info.state === "order_failed" || order.status === "rejected") {
      core.book.refuse(
        o,
        "trigger_failed",
        `The ${o.role === "order" ? "trigger" : o.role} order "${o.clientId}" for ${o.symbol} ` +
          `fired but the exchange could not place its order (code ${
            String(info.failCode ?? info.algoStatus)
          }); ` +
          `the position may be unprotected: check it on the exchange.`,
        core.clock.now(),
      );
      core.log("error", "trigger order failed when it fired", { clientId: o.clientId });
      return markCancelled(core, o);
    }
    if (order.status === "canceled" || order.status === "expired") return markCancelled(core, o);
    if (fired) await fillsOfOrder(core, o.symbol, fired);
    return;
  }
  const filled = fromContracts(core.market(o.symbol), Number(order.filled ?? 0));
  if (filled > o.filled * (1 + EPS) && o.exchangeOrderId) {
    await fillsOfOrder(core, o.symbol, o.exchangeOrderId);
  }
  if (order.status === "canceled" || order.status === "expired" || order.status === "rejected") {
    await markCancelled(core, o);
  }
}

/** One poll of `symbol`: unclear sends, fills, orders that left the open lists. */
export async function pollSymbol(core: LiveCore, symbol: string): Promise<void> {
  const { book, ex, call } = core;
  for (const o of book.active(symbol)) {
    if (o.status !== "unknown") continue;
    const found = await lookupOrder(ex, symbol, o.exchangeClientId, o.algo, call);
    if (found) await acknowledge(core, o, String(found.id));
    else {
      o.status = "rejected";
      const reason = `Order "${o.clientId}" never reached ${call.label} (sending failed and a ` +
        `look-up finds no such order); it is not resent.`;
      await core.journal.notSent(o.clientId, reason, core.clock.now());
      book.refuse(o, "not_sent", reason, core.clock.now());
    }
  }
  await bookTrades(core, await recentFills(ex, symbol, call));
  for (const algo of [false, true]) {
    const mine = book.active(symbol).filter((o) =>
      o.status === "open" && o.algo === algo && o.exchangeOrderId !== undefined &&
      !(algo && o.firedOrderId !== undefined)
    );
    // fired triggers whose order rests (a take-profit limit): their fills come by ordId
    const fired = algo ? book.active(symbol).filter((o) => o.firedOrderId !== undefined) : [];
    for (const o of fired) await fillsOfOrder(core, symbol, o.firedOrderId!);
    if (mine.length === 0) continue;
    const open = new Set((await openOrdersAt(ex, symbol, algo, call)).map((x) => String(x.id)));
    for (const o of mine) {
      if (open.has(o.exchangeOrderId!)) continue;
      await settle(core, o, await fetchOrderById(ex, symbol, o.exchangeOrderId!, algo, call));
    }
  }
}
