// Start-up reconciliation of the live broker: the journal's unfinished orders are looked up at
// the exchange, their outcome recorded, the open ones tracked again; nothing is resent. Contract
// positions are compared with the exchange's afterwards.
//
// For each journal entry still in `intent` or `acked`, looked up by its exchange client id:
// - found: acked (if it was an intent), fills the journal lacks are recorded, and it is adopted
//   when still open, else recorded as filled or cancelled;
// - not found, was an intent: marked `not_sent` (the decision is stale; it is never resent);
// - not found, was acked: reported as a problem (the exchange should know it).
// The ledger is then rebuilt from the fills of these orders and of the entries their exit legs
// belong to: positions (entry price, fees, funding: funding.ts), and trades that closed
// while the bot was away. Its balance is the exchange's quote balance plus the open positions at
// cost. Open orders at the exchange that are not ours (or not in the journal) are reported and
// left alone. Afterwards, outside reconcile itself: a filled entry whose exits were never
// journaled gets them placed (`exitsPlaced`), and an open exit whose position closed while away
// is cancelled (`exitsCancelled`, the OCO the bot could not keep).
// On contracts (where the exchange's `derivatives` row has `positions`), the exchange's
// positions in the watched symbols and the ledger's are then compared with the ledger: one the
// ledger does not hold goes to `untrackedPositions`, a side or size that differs to `problems`.

import type { Position as CcxtPosition } from "ccxt";
import type { Fill, PositionSide, PositionView } from "../core/trading.ts";
import type { Clock } from "../core/ports.ts";
import type { JournalEntry, OrderJournal } from "../core/order_journal.ts";
import { looksLikeOurs } from "./client_order_id.ts";
import {
  fetchOrderById,
  firedOrderId,
  lookupOrder,
  openOrdersAt,
  recentFills,
} from "./exchange_orders.ts";
import { type Funding, inTimeOrder, replayPayment } from "./funding.ts";
import { withRetry } from "../exchange/retry.ts";
import { fromContracts } from "./market.ts";
import { FILL_EPS, type IncomingFill, incomingFill, type LiveOrder } from "./orders.ts";
import { LiveLedger } from "./ledger.ts";
import type { LiveVenue } from "./venue.ts";
import type { OrderGateway } from "./order_gateway.ts";
import type { Brackets } from "./brackets.ts";

/** An exchange position no reconciled order accounts for (see ReconcileReport). */
export interface UntrackedPosition {
  symbol: string;
  side: PositionSide;
  /** Base units. */
  qty: number;
  entryPrice: number;
}

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

/** The collaborators and settings of a {@link Reconciler}. */
export interface ReconcilerDeps {
  venue: LiveVenue;
  /** The ledger rebuilt from the fills. */
  ledger: LiveLedger;
  journal: OrderJournal;
  /** Time of journal records. */
  clock: Clock;
  /** Tracks the reconciled orders again, and sends or cancels their exits afterwards. */
  gateway: OrderGateway;
  /** The exits of entries that filled while the bot was away. */
  brackets: Brackets;
  /** Funding payments (contracts): journaled and missed ones are replayed with the fills. */
  funding?: Funding;
  /** Currency the ledger counts in. */
  quote: string;
  /** Fixed ledger cash (CcxtBrokerOptions.cash), else the exchange's balance is used. */
  cash?: number;
  /**
   * With `cash`: every journal entry of this ledger is replayed too (the journal must implement
   * `entries`), and `cash` is where the ledger starts (a bot's budget), not where it ends.
   */
  ledgerFromJournal?: boolean;
}

/**
 * The start-up of a live broker: settles what the journal left unfinished against the exchange
 * and rebuilds the ledger (see the file header). Sends nothing itself; exits of entries that
 * filled while away, and cancels of exits whose position closed, are queued on the gateway.
 *
 * @example
 * ```ts
 * const reconciler = new Reconciler({ venue, ledger, journal, clock, gateway, brackets, quote });
 * const report = await reconciler.run(["BTC/USDT"]);
 * ```
 */
export class Reconciler {
  readonly #venue: LiveVenue;
  readonly #ledger: LiveLedger;
  readonly #journal: OrderJournal;
  readonly #clock: Clock;
  readonly #gateway: OrderGateway;
  readonly #brackets: Brackets;
  readonly #funding: Funding | undefined;
  readonly #quote: string;
  readonly #cash: number | undefined;
  /** Every journal entry of the ledger, when it is rebuilt from the whole journal. */
  readonly #history: (() => Promise<JournalEntry[]>) | undefined;

  /** A reconciler of `deps.ledger` against `deps.venue`. */
  constructor(deps: ReconcilerDeps) {
    this.#venue = deps.venue;
    this.#ledger = deps.ledger;
    this.#journal = deps.journal;
    this.#clock = deps.clock;
    this.#gateway = deps.gateway;
    this.#brackets = deps.brackets;
    this.#funding = deps.funding;
    this.#quote = deps.quote;
    this.#cash = deps.cash;
    const journal = deps.journal;
    this.#history = deps.ledgerFromJournal === true && deps.cash !== undefined && journal.entries
      ? () => journal.entries!()
      : undefined;
  }

  /**
   * Settles the journal against the exchange, reporting coins of `symbols` (markets the bot
   * trades) it cannot account for; on contracts compares the exchange's positions (in `symbols`
   * and the ledger's) with the ledger.
   */
  async run(symbols: readonly string[]): Promise<ReconcileReport> {
    const report = await this.#settle(symbols);
    if (this.#venue.info?.derivatives?.positions) await this.#comparePositions(symbols, report);
    return report;
  }

  async #settle(symbols: readonly string[]): Promise<ReconcileReport> {
    const { ex, call } = this.#venue;
    const venue = this.#venue;
    const journal = this.#journal;
    const clock = this.#clock;
    const ledger = this.#ledger;
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
      if (venue.market(e.symbol) === undefined) {
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
          this.#gateway.adopt({ ...fromEntry(e), status: "rejected" }); // its client id stays used
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
          const f = incomingFill(tr, venue.market(e.symbol));
          const { exchangeOrderId: _, ...jf } = f;
          await journal.fill(e.clientId, jf);
          t.fills.push(f);
          learnt.add(f.tradeId);
        }
      }
      const filledQty = t.fills.reduce((s, f) => s + f.qty, 0);
      // a fired trigger is open while the order it placed rests (a take-profit limit)
      const open = fired
        ? filledQty < e.qty * (1 - FILL_EPS) &&
          (await fetchOrderById(ex, e.symbol, fired, false, call)).status === "open"
        : found.status === "open";
      if (open) {
        t.o.status = "open";
        report.adopted.push(e.clientId);
      } else {
        const status = filledQty >= e.qty * (1 - FILL_EPS) ? "filled" : "cancelled";
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
    for (const e of this.#history ? await this.#history() : []) {
      if (orders.has(e.clientId) || e.fills.length === 0 || venue.market(e.symbol) === undefined) {
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
    await this.#rebuildLedger(symbols, orders, learnt, report);
    for (const { o } of orders.values()) {
      if (o.firedOrderId) ledger.link(o, o.firedOrderId);
      if (o.exchangeOrderId) ledger.link(o, o.exchangeOrderId);
      this.#gateway.adopt(o);
    }
    await this.#findUnknown(orders, report);
    // entries whose exits were never journaled (looked up before anything is queued)
    const pf = ledger.portfolio;
    const unprotected: LiveOrder[] = [];
    for (const { o } of orders.values()) {
      const done = o.status === "filled" || (o.status === "cancelled" && o.netFilled > 0);
      if (!done || !o.bracket || o.legs || pf.position(o.symbol) === undefined) continue;
      const sl = await journal.byClientId(`${o.clientId}:sl`);
      const tp = await journal.byClientId(`${o.clientId}:tp`);
      if (!sl && !tp) unprotected.push(o);
    }
    // queued for after reconcile returns: nothing runs while it looks
    for (const { o } of orders.values()) {
      // an exit whose position closed while the bot was away (its partner filled): cancel it
      if (o.status !== "open" || !o.reduceOnly || pf.position(o.symbol) !== undefined) continue;
      this.#gateway.cancel(o.id);
      report.exitsCancelled.push(o.clientId);
    }
    for (const o of unprotected) {
      for (const leg of this.#brackets.legsFor(o)) this.#gateway.send(leg);
      const placed: LiveOrder[] = o.legs ?? [];
      for (const leg of placed) report.exitsPlaced.push(leg.clientId);
    }
    return report;
  }

  /**
   * Replays the fills of `orders` into a fresh ledger whose balance ends at the exchange's quote
   * balance plus the open positions at cost (a first pass on a scratch ledger finds what the
   * replay itself adds to the balance; a futures balance is the wallet, margin included). Spot
   * positions above the coins held are reported, and coins of the watched `symbols` no order
   * accounts for.
   */
  async #rebuildLedger(
    symbols: readonly string[],
    orders: Map<string, Tracked>,
    learnt: ReadonlySet<string>,
    report: ReconcileReport,
  ): Promise<void> {
    const venue = this.#venue;
    const funding = this.#funding;
    // in time order; at the same ms an entry's fills come before its exits', then by order age
    const events = [...orders.values()].flatMap(({ o, fills }) => fills.map((f) => ({ o, f })))
      .sort((a, b) =>
        a.f.ts - b.f.ts || (a.o.parent ? 1 : 0) - (b.o.parent ? 1 : 0) ||
        a.o.createdTs - b.o.createdTs
      );
    const fillsAt = events.map(({ o, f }) => ({ symbol: o.symbol, ts: f.ts }));
    const timeline = inTimeOrder(events, await funding?.forReplay(fillsAt) ?? []);
    const scratch = new LiveLedger();
    const copies = new Map<LiveOrder, LiveOrder>();
    for (const e of timeline) {
      if (!("f" in e)) {
        replayPayment(scratch.portfolio, e);
        continue;
      }
      if (!copies.has(e.o)) copies.set(e.o, { ...e.o, filled: 0, netFilled: 0, fillValue: 0 });
      scratch.book(copies.get(e.o)!, e.f);
    }
    const cash = this.#cash ?? await venue.quoteBalance(this.#quote);
    // spot coins were bought with quote the balance no longer shows; contract margin still counts
    let atCost = 0;
    for (const p of scratch.portfolio.openPositions) {
      if (venue.market(p.symbol)?.spot !== false) atCost += p.qty * p.entryPrice;
    }
    const ledger = this.#ledger;
    const fromStart = this.#history !== undefined && this.#cash !== undefined;
    ledger.restart(fromStart ? cash : cash + atCost - scratch.portfolio.balance);
    const pf = ledger.portfolio;
    const paid = [];
    for (const e of timeline) {
      if (!("f" in e)) {
        if (replayPayment(pf, e)) paid.push(e);
        continue;
      }
      const fill = ledger.book(e.o, e.f);
      if (learnt.has(e.f.tradeId)) report.fills.push(fill);
    }
    await funding?.booked(paid);
    // fills learnt at start-up are reported here, not through onBar; rebuilt from the whole
    // journal, the ledger lists every fill (as it lists every trade), else only those from now on
    ledger.settled(fromStart);
    const positions = pf.openPositions.map((p) => p.symbol);
    const watched = symbols.filter((s) => venue.market(s)?.spot && !positions.includes(s));
    const balance = positions.length || watched.length
      ? await withRetry(() => venue.ex.fetchBalance(), venue.call.retry)
      : undefined;
    const held = (ccy: string) =>
      Number((balance?.total as unknown as Record<string, number> | undefined)?.[ccy] ?? 0);
    for (const symbol of watched) {
      const m = venue.market(symbol)!;
      const qty = held(m.base);
      if (qty > 0 && qty >= m.rules.minQty) report.untrackedHoldings.push({ symbol, qty });
    }
    for (const symbol of positions) {
      const p = pf.position(symbol)!;
      const m = venue.market(symbol);
      if (m?.spot && held(m.base) < p.qty * (1 - 1e-6)) {
        report.problems.push(
          `The journal gives a ${p.qty} ${m.base} position in ${symbol} but ${venue.label} ` +
            `holds ${held(m.base)}; check it on the exchange by hand.`,
        );
      }
      const v = ledger.position(symbol);
      if (v) report.positions.push(v);
    }
  }

  /** Reports open orders at the exchange that no reconciled order accounts for. */
  async #findUnknown(orders: Map<string, Tracked>, report: ReconcileReport): Promise<void> {
    const { ex, call } = this.#venue;
    const mine = new Set<string>();
    for (const { o } of orders.values()) {
      if (o.exchangeOrderId) mine.add(o.exchangeOrderId);
      if (o.firedOrderId) mine.add(o.firedOrderId);
    }
    for (const algo of [false, true]) {
      for (const x of await openOrdersAt(ex, undefined, algo, call)) {
        if (mine.has(String(x.id))) continue;
        const cid = x.clientOrderId;
        if (cid && (await this.#journal.byExchangeClientId(cid)) !== undefined) {
          report.problems.push(
            `Order "${cid}" is open at ${call.label} but finished in the journal; ` +
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

  /**
   * Compares the exchange's positions in `symbols` (and in the ledger's) with the ledger, after
   * the ledger is rebuilt: a position the ledger does not hold goes to `untrackedPositions`, a
   * side or size that differs to `problems`; both are logged. Nothing is sent.
   */
  async #comparePositions(symbols: readonly string[], report: ReconcileReport): Promise<void> {
    const venue = this.#venue;
    const pf = this.#ledger.portfolio;
    const wanted = new Set(
      [...symbols, ...pf.openPositions.map((p) => p.symbol)].filter((s) =>
        venue.market(s)?.linear === true
      ),
    );
    if (wanted.size === 0) return;
    const list = [...wanted];
    const at = await withRetry(() => venue.ex.fetchPositions(list), venue.call.retry);
    const seen = new Set<string>();
    const label = venue.label;
    for (const p of at) {
      const symbol = String(p.symbol);
      if (!wanted.has(symbol)) continue;
      const { qty, side } = this.#sizeOf(p);
      if (!(qty > 0)) continue;
      seen.add(symbol);
      const mine = pf.position(symbol);
      if (mine === undefined) {
        const entryPrice = Number(p.entryPrice ?? 0);
        report.untrackedPositions.push({ symbol, side, qty, entryPrice });
        venue.log("warn", "exchange position not in the ledger: left alone", { symbol, side, qty });
      } else if (mine.side !== side || Math.abs(mine.qty - qty) > 1e-9 * Math.max(1, qty)) {
        const msg = `The journal gives a ${mine.qty} ${mine.side} position in ${symbol} but ` +
          `${label} has ${qty} ${side}; check it on the exchange by hand.`;
        report.problems.push(msg);
        venue.log("error", "position differs from the exchange", {
          symbol,
          ledger: mine.qty,
          qty,
        });
      }
    }
    for (const p of pf.openPositions) {
      if (!wanted.has(p.symbol) || seen.has(p.symbol)) continue;
      report.problems.push(
        `The journal gives a ${p.qty} ${p.side} position in ${p.symbol} but ${label} has none; ` +
          `check it on the exchange by hand.`,
      );
      venue.log("error", "ledger position missing at the exchange", { symbol: p.symbol });
    }
  }

  /** Base-unit size and side of a ccxt position (0 when flat). */
  #sizeOf(p: CcxtPosition): { qty: number; side: PositionSide } {
    const contracts = Math.abs(Number(p.contracts ?? 0));
    const signed = Number((p.info as Record<string, unknown> | undefined)?.positionAmt ?? NaN);
    const side: PositionSide = p.side === "short" || p.side === "long"
      ? p.side
      : signed < 0
      ? "short"
      : "long";
    return { qty: fromContracts(this.#venue.market(String(p.symbol)), contracts), side };
  }
}
