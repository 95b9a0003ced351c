// Start-up reconciliation of the live broker: the journal's unfinished orders are looked up at
// the exchange, their outcome recorded, the open ones tracked again; nothing is resent.
// (Contract positions are compared with the exchange's afterwards: live_derivatives.ts.)
//
// For each journal entry still in `intent` or `acked`, looked up by its exchange client id:
// - found: acked (if it was an intent), fills the journal lacks are recorded, and it is adopted
//   when still open, else recorded as filled or cancelled;
// - not found, was an intent: marked `not_sent` (the decision is stale; it is never resent);
// - not found, was acked: reported as a problem (the exchange should know it).
// The ledger is then rebuilt from the fills of these orders and of the entries their exit legs
// belong to: positions (entry price, fees, funding: live_funding.ts), and trades that closed
// while the bot was away. Its balance is the exchange's quote balance plus the open positions at
// cost. Open orders at the exchange that are not ours (or not in the journal) are reported and
// left alone. Afterwards, outside reconcile itself: a filled entry whose exits were never
// journaled gets them placed (`exitsPlaced`), and an open exit whose position closed while away
// is cancelled (`exitsCancelled`, the OCO the bot could not keep).

import type { Fill, PositionView } from "../core/trading.ts";
import { Portfolio } from "../account/portfolio.ts";
import { looksLikeOurs } from "./client_order_id.ts";
import {
  fetchOrderById,
  firedOrderId,
  lookupOrder,
  openOrdersAt,
  recentFills,
} from "./exchange_orders.ts";
import type { UntrackedPosition } from "./derivatives.ts";
import { inTimeOrder, type LiveFunding, replayPayment } from "./funding.ts";
import { withRetry } from "../exchange/retry.ts";
import { type IncomingFill, LiveBook, type LiveOrder, livePositionView } from "./orders.ts";
import { incomingFill, type LiveCore } from "./poll.ts";
import type { JournalEntry } from "../core/order_journal.ts";

/** What reconcile found and did. */
export interface ReconcileReport {
  /** Intents the exchange has: now acknowledged (client ids). */
  acked: string[];
  /** Intents the exchange never received: marked not_sent, not resent (client ids). */
  notSent: string[];
  /** Orders still open at the exchange, tracked again (client ids). */
  adopted: string[];
  /** Orders that ended while the bot was away. */
  finished: { clientId: string; status: "filled" | "cancelled" }[];
  /** Fills the journal did not have, now recorded. */
  fills: Fill[];
  /** Exit legs queued for entries that filled while the bot was away (client ids). */
  exitsPlaced: string[];
  /** Open exits of positions that closed while the bot was away: cancels queued (client ids). */
  exitsCancelled: string[];
  /** Positions the ledger holds afterwards. */
  positions: PositionView[];
  /**
   * Coins of the watched spot markets held at the exchange that no reconciled order accounts
   * for (a position opened without exits before the restart, or the user's own): not adopted,
   * never sold by the bot.
   */
  untrackedHoldings: { symbol: string; qty: number }[];
  /**
   * Contract positions at the exchange (watched symbols and the ledger's) that no reconciled
   * order accounts for: not adopted, never closed by the bot. A side or size that differs from
   * the ledger is in `problems`.
   */
  untrackedPositions: UntrackedPosition[];
  /** Open orders at the exchange that the journal does not know: left alone. */
  unknownOrders: {
    symbol: string;
    exchangeOrderId: string;
    clientOrderId?: string;
    side: string;
    qty: number;
    price?: number;
    /** Its client id has the shape of ours (a journal lost it?). */
    looksOurs: boolean;
  }[];
  /** Sentences for people: disagreements to check by hand. */
  problems: string[];
}

/** What reconcile needs from the broker besides its core. */
export interface ReconcileDeps {
  /** Markets the bot trades: their holdings not accounted for are reported. */
  symbols: readonly string[];
  /** Fixed ledger cash (options.cash), else the exchange's balance is used. */
  cash: number | undefined;
  /**
   * Every journal entry of this ledger: their fills are replayed too, and the fixed `cash` is
   * where the ledger starts (a bot's budget), not where it ends.
   */
  history?: () => Promise<JournalEntry[]>;
  quoteBalance(): Promise<number>;
  /** Funding payments (contracts): journaled and missed ones are replayed with the fills. */
  funding?: LiveFunding;
  /** Tracks an order again (active or not: its client id counts as used). */
  adopt(o: LiveOrder): void;
  /** Queues the exit legs of a filled entry. */
  placeExits(entry: LiveOrder): void;
  /** Queues the cancel of an adopted order. */
  cancel(o: LiveOrder): void;
}

/** An order being reconciled, its fills (journal's and new) and its entry's client id. */
interface Tracked {
  o: LiveOrder;
  fills: IncomingFill[];
  parentClientId: string | undefined;
}

/** A local order rebuilt from its journal entry (not yet filled: fills are replayed). */
function fromEntry(e: JournalEntry): LiveOrder {
  const o: LiveOrder = {
    id: e.exchangeClientId,
    clientId: e.clientId,
    exchangeClientId: e.exchangeClientId,
    symbol: e.symbol,
    side: e.side,
    type: e.type,
    qty: e.qty,
    reduceOnly: e.reduceOnly,
    role: e.role,
    algo: e.algo,
    createdTs: e.ts,
    status: e.status === "filled" ? "filled" : e.status === "cancelled" ? "cancelled" : "open",
    filled: 0,
    netFilled: 0,
    cancelWanted: false,
  };
  if (e.exchangeOrderId) o.exchangeOrderId = e.exchangeOrderId;
  if (e.price !== undefined) o.price = e.price;
  if (e.stopPrice !== undefined) o.stopPrice = e.stopPrice;
  if (e.bracket) o.bracket = { ...e.bracket };
  if (e.exitReason) o.exitReason = e.exitReason;
  return o;
}

/** Settles the journal against the exchange; see the file header. */
export async function reconcile(core: LiveCore, deps: ReconcileDeps): Promise<ReconcileReport> {
  const { ex, journal, book, call, clock } = core;
  const report: ReconcileReport = {
    acked: [],
    notSent: [],
    adopted: [],
    finished: [],
    fills: [],
    exitsPlaced: [],
    exitsCancelled: [],
    positions: [],
    untrackedHoldings: [],
    untrackedPositions: [],
    unknownOrders: [],
    problems: [],
  };
  const orders = new Map<string, Tracked>();
  const learnt = new Set<string>();
  const track = (e: JournalEntry): Tracked => {
    const o = fromEntry(e);
    const fills = e.fills.map((f) => ({ ...f, exchangeOrderId: e.exchangeOrderId ?? "" }));
    const t = { o, fills, parentClientId: e.parentClientId };
    orders.set(e.clientId, t);
    return t;
  };
  for (const e of await journal.unfinished()) {
    if (core.market(e.symbol) === undefined) {
      report.problems.push(
        `Order "${e.clientId}" is for "${e.symbol}", which ${call.label} does not list; ` +
          `check it on the exchange by hand.`,
      );
      continue;
    }
    const found = await lookupOrder(ex, e.symbol, e.exchangeClientId, e.algo, call);
    if (found === undefined) {
      if (e.status === "intent") {
        await journal.notSent(
          e.clientId,
          `Not found at ${call.label} at start-up: it never arrived. Not resent: the decision ` +
            `is stale.`,
          clock.now(),
        );
        report.notSent.push(e.clientId);
        deps.adopt({ ...fromEntry(e), status: "rejected" }); // its client id stays used
      } else {
        report.problems.push(
          `Order "${e.clientId}" was acknowledged as "${e.exchangeOrderId}" but ${call.label} ` +
            `does not find it now; check it on the exchange by hand.`,
        );
      }
      continue;
    }
    const id = String(found.id);
    if (e.status === "intent") {
      await journal.ack(e.clientId, id, clock.now());
      report.acked.push(e.clientId);
    }
    const t = track({ ...e, exchangeOrderId: id });
    const fired = e.algo ? firedOrderId(found) : undefined;
    if (fired) t.o.firedOrderId = fired;
    const fillOrder = e.algo ? fired : id;
    if (fillOrder) {
      const known = new Set(e.fills.map((f) => f.tradeId));
      const trades = await recentFills(ex, e.symbol, call, fillOrder);
      for (const tr of trades.sort((a, b) => Number(a.timestamp) - Number(b.timestamp))) {
        if (known.has(String(tr.id))) continue;
        const f = incomingFill(tr, core.market(e.symbol));
        const { exchangeOrderId: _, ...jf } = f;
        await journal.fill(e.clientId, jf);
        t.fills.push(f);
        learnt.add(f.tradeId);
      }
    }
    const filledQty = t.fills.reduce((s, f) => s + f.qty, 0);
    // a fired trigger is open while the order it placed rests (a take-profit limit)
    const open = fired
      ? filledQty < e.qty * (1 - 1e-9) &&
        (await fetchOrderById(ex, e.symbol, fired, false, call)).status === "open"
      : found.status === "open";
    if (open) {
      t.o.status = "open";
      report.adopted.push(e.clientId);
    } else {
      const status = filledQty >= e.qty * (1 - 1e-9) ? "filled" : "cancelled";
      t.o.status = status;
      await (status === "filled" ? journal.filled : journal.cancelled).call(
        journal,
        e.clientId,
        clock.now(),
      );
      report.finished.push({ clientId: e.clientId, status });
    }
  }
  // with the whole history: every settled entry's fills count as well
  for (const e of deps.history ? await deps.history() : []) {
    if (orders.has(e.clientId) || e.fills.length === 0 || core.market(e.symbol) === undefined) {
      continue;
    }
    if (e.status === "filled" || e.status === "cancelled") track(e);
  }
  // the entries of exit legs (already finished in the journal) carry the position
  for (const { o, parentClientId } of [...orders.values()]) {
    if (parentClientId === undefined) continue;
    let p = orders.get(parentClientId);
    if (p === undefined) {
      const e = await journal.byClientId(parentClientId);
      if (e !== undefined) p = track(e);
    }
    if (p === undefined) continue;
    o.parent = p.o;
    (p.o.legs ??= []).push(o);
  }
  for (const { o } of orders.values()) {
    const legs = o.legs ?? [];
    if (legs.length === 2) (legs[0].oco = legs[1], legs[1].oco = legs[0]);
  }
  await rebuildLedger(core, deps, orders, learnt, report);
  for (const { o } of orders.values()) {
    if (o.firedOrderId) book.linkExchangeId(o, o.firedOrderId);
    if (o.exchangeOrderId) book.linkExchangeId(o, o.exchangeOrderId);
    deps.adopt(o);
  }
  await findUnknown(core, orders, report);
  // entries whose exits were never journaled (looked up before anything is queued)
  const unprotected: LiveOrder[] = [];
  for (const { o } of orders.values()) {
    const done = o.status === "filled" || (o.status === "cancelled" && o.netFilled > 0);
    if (!done || !o.bracket || o.legs || book.pf.position(o.symbol) === undefined) continue;
    const sl = await journal.byClientId(`${o.clientId}:sl`);
    const tp = await journal.byClientId(`${o.clientId}:tp`);
    if (!sl && !tp) unprotected.push(o);
  }
  // queued for after reconcile returns: nothing runs while it looks
  for (const { o } of orders.values()) {
    // an exit whose position closed while the bot was away (its partner filled): cancel it
    if (o.status !== "open" || !o.reduceOnly || book.pf.position(o.symbol) !== undefined) continue;
    deps.cancel(o);
    report.exitsCancelled.push(o.clientId);
  }
  for (const o of unprotected) {
    deps.placeExits(o);
    const placed: LiveOrder[] = o.legs ?? [];
    for (const leg of placed) report.exitsPlaced.push(leg.clientId);
  }
  return report;
}

/**
 * Replays the fills of `orders` into a fresh ledger whose balance ends at the exchange's quote
 * balance plus the open positions at cost (a first pass on a scratch book finds what the
 * replay itself adds to the balance; a futures balance is the wallet, margin included). Spot
 * positions above the coins held are reported.
 */
async function rebuildLedger(
  core: LiveCore,
  deps: ReconcileDeps,
  orders: Map<string, Tracked>,
  learnt: ReadonlySet<string>,
  report: ReconcileReport,
): Promise<void> {
  // in time order; at the same ms an entry's fills come before its exits', then by order age
  const events = [...orders.values()].flatMap(({ o, fills }) => fills.map((f) => ({ o, f })))
    .sort((a, b) =>
      a.f.ts - b.f.ts || (a.o.parent ? 1 : 0) - (b.o.parent ? 1 : 0) ||
      a.o.createdTs - b.o.createdTs
    );
  const fillsAt = events.map(({ o, f }) => ({ symbol: o.symbol, ts: f.ts }));
  const timeline = inTimeOrder(events, await deps.funding?.forReplay(fillsAt) ?? []);
  const scratch = new LiveBook();
  const copies = new Map<LiveOrder, LiveOrder>();
  for (const e of timeline) {
    if (!("f" in e)) {
      replayPayment(scratch.pf, e);
      continue;
    }
    if (!copies.has(e.o)) copies.set(e.o, { ...e.o, filled: 0, netFilled: 0, fillValue: 0 });
    scratch.book(copies.get(e.o)!, e.f);
  }
  const cash = deps.cash ?? await deps.quoteBalance();
  // spot coins were bought with quote the balance no longer shows; contract margin still counts
  let atCost = 0;
  for (const p of scratch.pf.openPositions) {
    if (core.market(p.symbol)?.spot !== false) atCost += p.qty * p.entryPrice;
  }
  const book = core.book;
  const fromStart = deps.history !== undefined && deps.cash !== undefined;
  book.pf = new Portfolio(fromStart ? cash : cash + atCost - scratch.pf.balance, 0);
  const paid = [];
  for (const e of timeline) {
    if (!("f" in e)) {
      if (replayPayment(book.pf, e)) paid.push(e);
      continue;
    }
    const fill = book.book(e.o, e.f);
    if (learnt.has(e.f.tradeId)) report.fills.push(fill);
  }
  await deps.funding?.booked(paid);
  // fills learnt at start-up are reported here, not through onBar; rebuilt from the whole
  // journal, the ledger lists every fill (as it lists every trade), else only those from now on
  book.pending.clear();
  if (!fromStart) book.fills.length = 0;
  const positions = book.pf.openPositions.map((p) => p.symbol);
  const watched = deps.symbols.filter((s) => core.market(s)?.spot && !positions.includes(s));
  const balance = positions.length || watched.length
    ? await withRetry(() => core.ex.fetchBalance(), core.call.retry)
    : undefined;
  const held = (ccy: string) =>
    Number((balance?.total as unknown as Record<string, number> | undefined)?.[ccy] ?? 0);
  for (const symbol of watched) {
    const m = core.market(symbol)!;
    const qty = held(m.base);
    if (qty > 0 && qty >= m.rules.minQty) report.untrackedHoldings.push({ symbol, qty });
  }
  for (const symbol of positions) {
    const p = book.pf.position(symbol)!;
    const m = core.market(symbol);
    if (m?.spot && held(m.base) < p.qty * (1 - 1e-6)) {
      report.problems.push(
        `The journal gives a ${p.qty} ${m.base} position in ${symbol} but ${core.call.label} ` +
          `holds ${held(m.base)}; check it on the exchange by hand.`,
      );
    }
    const v = livePositionView(book, symbol);
    if (v) report.positions.push(v);
  }
}

/** Reports open orders at the exchange that no reconciled order accounts for. */
async function findUnknown(
  core: LiveCore,
  orders: Map<string, Tracked>,
  report: ReconcileReport,
): Promise<void> {
  const mine = new Set<string>();
  for (const { o } of orders.values()) {
    if (o.exchangeOrderId) mine.add(o.exchangeOrderId);
    if (o.firedOrderId) mine.add(o.firedOrderId);
  }
  for (const algo of [false, true]) {
    for (const x of await openOrdersAt(core.ex, undefined, algo, core.call)) {
      if (mine.has(String(x.id))) continue;
      const cid = x.clientOrderId;
      if (cid && (await core.journal.byExchangeClientId(cid)) !== undefined) {
        report.problems.push(
          `Order "${cid}" is open at ${core.call.label} but finished in the journal; ` +
            `check it on the exchange by hand.`,
        );
      }
      report.unknownOrders.push({
        symbol: String(x.symbol),
        exchangeOrderId: String(x.id),
        ...(cid ? { clientOrderId: cid } : {}),
        side: String(x.side),
        qty: Number(x.amount),
        ...(x.price
          ? { price: Number(x.price) }
          : x.triggerPrice
          ? { price: Number(x.triggerPrice) }
          : {}),
        looksOurs: looksLikeOurs(cid),
      });
    }
  }
}
