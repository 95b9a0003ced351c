// The live broker's orders at the exchange, out and back: one queue of calls run in order,
// sends written to the journal first and placed at most once, cancels, and the polls that learn
// what happened (acks, fills, orders that left the open lists, trigger orders that fired,
// unclear sends).

import type { Order, Trade } from "ccxt";
import { InputError } from "../core/errors.ts";
import type { Clock } from "../core/ports.ts";
import type { IntentRecords, OrderJournal } from "../core/order_journal.ts";
import {
  brief,
  cancelAtExchange,
  fetchOrderById,
  firedOrderId,
  lookupOrder,
  openOrdersAt,
  placeOnce,
  type PlaceOutcome,
  type PlaceSpec,
  recentFills,
} from "./exchange_orders.ts";
import { fromContracts, type LiveMarket, toContracts } from "./market.ts";
import { FILL_EPS, incomingFill, intentOf, isActive, type LiveOrder } from "./orders.ts";
import type { LiveLedger } from "./ledger.ts";
import type { LiveVenue } from "./venue.ts";
import type { Brackets, BracketWork } from "./brackets.ts";
import type { ContractSetup } from "./derivatives.ts";
import { SerialQueue } from "./serial_queue.ts";

/** The collaborators of an {@link OrderGateway}. */
export interface OrderGatewayDeps {
  venue: LiveVenue;
  ledger: LiveLedger;
  journal: OrderJournal;
  /** Time of journal records and refusals. */
  clock: Clock;
  /** Exits to send and cancel after each fill or cancel. */
  brackets: Brackets;
  /** Leverage and margin mode of contract symbols, set before their first opening order. */
  setup: ContractSetup;
  /** The caller's records of an order, journaled with its intent (CcxtBroker.intentRecords). */
  records?: (clientId: string) => IntentRecords | undefined;
}

/**
 * What goes to the exchange and what comes back, one call at a time and in order. An order is
 * tracked in the ledger when queued; its send writes the intent to the journal first, then
 * places it once (see placeOnce: a look-up before any resend); its outcome (ack, rejection,
 * unclear) is journaled and, for a rejection, refused in the ledger. Polls book new fills and
 * settle orders that left the open lists; after each fill or cancel the exits the brackets ask
 * for are sent or cancelled. A client id is used once.
 *
 * @example
 * ```ts
 * const gateway = new OrderGateway({ venue, ledger, journal, clock, brackets, setup });
 * gateway.send(order);
 * gateway.enqueue("poll", () => gateway.pollSymbol("BTC/USDT"));
 * await gateway.flush();
 * ```
 */
export class OrderGateway {
  readonly #venue: LiveVenue;
  readonly #ledger: LiveLedger;
  readonly #journal: OrderJournal;
  readonly #clock: Clock;
  readonly #brackets: Brackets;
  readonly #setup: ContractSetup;
  readonly #records: ((clientId: string) => IntentRecords | undefined) | undefined;
  readonly #queue: SerialQueue;
  readonly #clientIds = new Set<string>();

  /** A gateway for `deps.venue`'s orders in `deps.ledger`. */
  constructor(deps: OrderGatewayDeps) {
    this.#venue = deps.venue;
    this.#ledger = deps.ledger;
    this.#journal = deps.journal;
    this.#clock = deps.clock;
    this.#brackets = deps.brackets;
    this.#setup = deps.setup;
    this.#records = deps.records;
    this.#queue = new SerialQueue((err, job) =>
      this.#venue.log("warn", `live broker job "${job}" failed`, { error: brief(err) })
    );
  }

  /** Whether the client id was used before (in this process or adopted at start-up). */
  known(clientId: string): boolean {
    return this.#clientIds.has(clientId);
  }

  /** Tracks `o` again (start-up; active or not: its client id counts as used). */
  adopt(o: LiveOrder): void {
    this.#ledger.add(o);
    this.#clientIds.add(o.clientId);
  }

  /** Tracks `o` and queues its send. */
  send(o: LiveOrder): void {
    this.adopt(o);
    this.#queue.push(`send ${o.clientId}`, () => this.#place(o));
  }

  /** Cancels one order (a bracket leg alone leaves its partner live); false when not open. */
  cancel(orderId: string): boolean {
    const o = this.#ledger.order(orderId);
    if (o === undefined || !isActive(o) || o.cancelWanted) return false;
    o.cancelWanted = true;
    if (o.status !== "queued") this.#queueCancel(o);
    return true;
  }

  /** Cancels every open order, of one symbol when given. */
  cancelAll(symbol?: string): void {
    for (const o of this.#ledger.active(symbol)) this.cancel(o.id);
  }

  /** Queues `job` after every call queued so far (a poll). */
  enqueue(name: string, job: () => Promise<void>): void {
    this.#queue.push(name, job);
  }

  /** Waits until every queued send, cancel and poll is done (and what they queued). */
  flush(): Promise<void> {
    return this.#queue.idle();
  }

  #queueCancel(o: LiveOrder): void {
    this.#queue.push(`cancel ${o.clientId}`, () => this.#cancelNow(o));
  }

  /** Sends or cancels what the brackets asked for. */
  #apply(work: BracketWork): void {
    for (const leg of work.send) this.send(leg);
    for (const o of work.cancel) this.cancel(o.id);
  }

  /**
   * Sends a queued order: the intent is stored first (a refusal, and nothing sent, when the
   * journal already has the client id or cannot store it), then placed at most once, then
   * acknowledged, recorded as rejected, or left `unknown` for the polls to look up.
   */
  async #place(o: LiveOrder): Promise<void> {
    if (o.cancelWanted) {
      o.status = "cancelled"; // cancelled before it left this process
      return;
    }
    o.status = "sending";
    const venue = this.#venue;
    // leverage and margin mode matter for what opens a position; exits go out regardless
    const unready = o.reduceOnly
      ? undefined
      : await this.#setup.prepare(o.symbol, venue.market(o.symbol));
    if (unready !== undefined) {
      o.status = "rejected"; // nothing journaled, nothing sent
      this.#ledger.refuse(
        o,
        "not_prepared",
        `Order "${o.clientId}" was not sent: ${unready}`,
        this.#clock.now(),
      );
      return;
    }
    try {
      const intent = intentOf(o, venue.name);
      const records = this.#records?.(o.clientId);
      if (records) intent.records = records;
      await this.#journal.intent(intent);
    } catch (err) {
      o.status = "rejected";
      const dup = err instanceof InputError;
      this.#ledger.refuse(
        o,
        dup ? "duplicate_client_id" : "journal_failed",
        dup
          ? (err as Error).message
          : `Order "${o.clientId}" was not sent: the journal could not store it (${brief(err)}).`,
        this.#clock.now(),
      );
      return;
    }
    let out: PlaceOutcome;
    try {
      out = await placeOnce(venue.ex, placeSpec(o, venue.market(o.symbol)), venue.call);
    } catch (err) {
      out = { kind: "unknown", reason: brief(err) };
    }
    if (out.kind === "acked") {
      await this.#acknowledge(o, out.exchangeOrderId);
    } else if (out.kind === "rejected") {
      o.status = "rejected";
      const reason = venue.redact(`Order "${o.clientId}": ${out.reason}`);
      await this.#journal.rejected(o.clientId, { code: out.code, reason }, this.#clock.now());
      this.#ledger.refuse(o, out.code, reason, this.#clock.now());
      if (o.role !== "order") {
        venue.log("error", "exit order refused: the position is not protected", {
          clientId: o.clientId,
          reason,
        });
      }
    } else {
      o.status = "unknown";
      venue.log("warn", "order state unclear after retries; it is looked up on every poll", {
        clientId: o.clientId,
        reason: out.reason,
      });
    }
  }

  /**
   * Cancels `o` at the exchange (a fired take-profit: the order it placed). When the exchange
   * says it is no longer open, its state is fetched and settled (filled or cancelled). Orders
   * not acknowledged yet are left to the polls, which cancel them once found.
   */
  async #cancelNow(o: LiveOrder): Promise<void> {
    if (o.status !== "open" || o.exchangeOrderId === undefined) return;
    const { ex, call } = this.#venue;
    const fired = o.firedOrderId;
    const res = await cancelAtExchange(ex, {
      symbol: o.symbol,
      exchangeOrderId: fired ?? o.exchangeOrderId,
      algo: o.algo && fired === undefined,
    }, call);
    if (res === "cancelled") return this.#cancelled(o);
    const order = await fetchOrderById(ex, o.symbol, o.exchangeOrderId, o.algo, call);
    await this.#settle(o, order);
  }

  /** One poll of `symbol`: unclear sends, fills, orders that left the open lists. */
  async pollSymbol(symbol: string): Promise<void> {
    const ledger = this.#ledger;
    const { ex, call } = this.#venue;
    for (const o of ledger.active(symbol)) {
      if (o.status !== "unknown") continue;
      const found = await lookupOrder(ex, symbol, o.exchangeClientId, o.algo, call);
      if (found) await this.#acknowledge(o, String(found.id));
      else {
        o.status = "rejected";
        const reason = `Order "${o.clientId}" never reached ${call.label} (sending failed and ` +
          `a look-up finds no such order); it is not resent.`;
        await this.#journal.notSent(o.clientId, reason, this.#clock.now());
        ledger.refuse(o, "not_sent", reason, this.#clock.now());
      }
    }
    await this.#bookTrades(await recentFills(ex, symbol, call));
    for (const algo of [false, true]) {
      const mine = ledger.active(symbol).filter((o) =>
        o.status === "open" && o.algo === algo && o.exchangeOrderId !== undefined &&
        !(algo && o.firedOrderId !== undefined)
      );
      // fired triggers whose order rests (a take-profit limit): their fills come by ordId
      const fired = algo ? ledger.active(symbol).filter((o) => o.firedOrderId !== undefined) : [];
      for (const o of fired) await this.#fillsOfOrder(symbol, o.firedOrderId!);
      if (mine.length === 0) continue;
      const open = new Set((await openOrdersAt(ex, symbol, algo, call)).map((x) => String(x.id)));
      for (const o of mine) {
        if (open.has(o.exchangeOrderId!)) continue;
        await this.#settle(o, await fetchOrderById(ex, symbol, o.exchangeOrderId!, algo, call));
      }
    }
  }

  /** The local order a trade belongs to: by exchange order id, else by our client id. */
  #ownerOf(t: Trade): LiveOrder | undefined {
    const byId = this.#ledger.byExchangeId(String(t.order ?? ""));
    if (byId) return byId;
    const cl = (t.info as Record<string, unknown> | undefined)?.clOrdId;
    return typeof cl === "string" && cl !== "" ? this.#ledger.order(cl) : undefined;
  }

  /** Books the trades not seen before that belong to our orders, oldest first. */
  async #bookTrades(trades: readonly Trade[]): Promise<void> {
    const sorted = [...trades].sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
    for (const t of sorted) {
      if (this.#ledger.seen(String(t.id))) continue;
      const o = this.#ownerOf(t);
      if (o === undefined) continue; // not ours (or not linked yet): left for a later look
      const f = incomingFill(t, this.#venue.market(o.symbol));
      this.#ledger.book(o, f);
      const { exchangeOrderId: _, ...jf } = f;
      await this.#journal.fill(o.clientId, jf);
      if (o.filled >= o.qty * (1 - FILL_EPS) && o.status !== "filled") {
        o.status = "filled";
        await this.#journal.filled(o.clientId, this.#clock.now());
      }
      this.#apply(this.#brackets.afterFill(o));
    }
  }

  /** Acknowledges `o` under the exchange's `id` (a cancel asked meanwhile is sent now). */
  async #acknowledge(o: LiveOrder, id: string): Promise<void> {
    o.exchangeOrderId = id;
    this.#ledger.link(o, id);
    if (o.status === "unknown" || o.status === "sending" || o.status === "queued") {
      o.status = "open";
    }
    await this.#journal.ack(o.clientId, id, this.#clock.now());
    if (o.cancelWanted) this.#queueCancel(o);
  }

  /** Ends `o` as cancelled at the exchange. */
  async #cancelled(o: LiveOrder): Promise<void> {
    if (o.status === "filled" || o.status === "cancelled") return;
    o.status = "cancelled";
    await this.#journal.cancelled(o.clientId, this.#clock.now());
    this.#apply(this.#brackets.afterCancel(o));
  }

  /** Books the fills of one exchange order (by its ordId) that are not booked yet. */
  async #fillsOfOrder(symbol: string, ordId: string): Promise<void> {
    const { ex, call } = this.#venue;
    await this.#bookTrades(await recentFills(ex, symbol, call, ordId));
  }

  /** Brings `o` in line with the exchange's `order` (it is no longer in the open list). */
  async #settle(o: LiveOrder, order: Order): Promise<void> {
    const info = (order.info ?? {}) as Record<string, unknown>;
    if (o.algo) {
      const fired = firedOrderId(order);
      if (fired && o.firedOrderId === undefined) {
        o.firedOrderId = fired;
        this.#ledger.link(o, fired);
      }
      if (info.state === "order_failed" || order.status === "rejected") {
        this.#ledger.refuse(
          o,
          "trigger_failed",
          `The ${o.role === "order" ? "trigger" : o.role} order "${o.clientId}" for ${o.symbol} ` +
            `fired but the exchange could not place its order (code ${
              String(info.failCode ?? info.algoStatus)
            }); ` +
            `the position may be unprotected: check it on the exchange.`,
          this.#clock.now(),
        );
        this.#venue.log("error", "trigger order failed when it fired", { clientId: o.clientId });
        return this.#cancelled(o);
      }
      if (order.status === "canceled" || order.status === "expired") return this.#cancelled(o);
      if (fired) await this.#fillsOfOrder(o.symbol, fired);
      return;
    }
    const filled = fromContracts(this.#venue.market(o.symbol), Number(order.filled ?? 0));
    if (filled > o.filled * (1 + FILL_EPS) && o.exchangeOrderId) {
      await this.#fillsOfOrder(o.symbol, o.exchangeOrderId);
    }
    if (order.status === "canceled" || order.status === "expired" || order.status === "rejected") {
      await this.#cancelled(o);
    }
  }
}

/**
 * What goes to the exchange for `o` (`m`: its market; amounts in contracts): a take-profit sent
 * as a trigger triggers at its limit, or on contracts is a take-profit-market; reduce-only is
 * sent on contracts (spot: the broker enforces it).
 */
export function placeSpec(o: LiveOrder, m: LiveMarket | undefined): PlaceSpec {
  const spot = m?.spot ?? true;
  const tpMarket = o.role === "tp" && o.algo && m?.takeProfitMarket === true;
  const spec: PlaceSpec = {
    symbol: o.symbol,
    type: o.type === "market" || o.type === "stop_market" || tpMarket ? "market" : "limit",
    side: o.side,
    amount: toContracts(m, o.qty),
    exchangeClientId: o.exchangeClientId,
    reduceOnly: o.reduceOnly && !spot,
  };
  if (spec.type === "limit") spec.price = o.price;
  if (o.stopPrice !== undefined) spec.triggerPrice = o.stopPrice;
  else if (o.algo) spec.triggerPrice = o.price;
  if (tpMarket) spec.takeProfit = true;
  return spec;
}
