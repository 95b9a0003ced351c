// CcxtBroker: the live Broker. Orders go to a real exchange through ccxt, journaled before they
// are sent; fills come back by polling and are reported through onBar like SimBroker's. Spot
// markets, and linear perpetuals where the exchange's row in exchanges.ts has `derivatives`
// (Binance USDT-M), on isolated margin at the bot's `leverage`.
//
// CcxtBroker is a facade over objects that own their state: LiveVenue (venue.ts: the ccxt
// client, markets, balance, redacted log), LiveLedger (ledger.ts: orders, account, fills for
// onBar, refusals, and the views the engine reads), OrderGateway (order_gateway.ts: the queue,
// sends, cancels, polls), Brackets (brackets.ts), Funding (funding.ts), Poller (poller.ts),
// ContractSetup (derivatives.ts) and Reconciler (reconcile.ts).
//
// Lifecycle of an order (the README's "lifecycle of an order" points here):
//  1. submit (synchronous, checks.ts): validated, rounded to the market's tick and step, a
//     price-dependent size resolved at the latest price (the limit or stop price, else the last
//     bar close given to onBar or setMark), checked against the minimums and the free quote
//     balance (contracts: notional / leverage plus the fee against the free margin; shorts
//     allowed); refused with a reason, or accepted and queued. Its id is the exchange client id
//     ("tw" + hash of the clientId), known before anything is sent.
//  2. send (async, one at a time, in order; order_gateway.ts): before a contract symbol's first
//     opening order, isolated margin and the leverage are set (else nothing is sent: refused).
//     The intent is written to the journal FIRST; then createOrder with that client id
//     (contracts: amounts in contracts, `reduceOnly` sent). Temporary failures are retried, but
//     after a failure whose effect is unclear the order is looked up by its client id before any
//     resend (see exchange_orders.ts): an order is never created twice. Then ack, or rejected (a
//     refusal with the exchange's message, seen by the engine through refusals()).
//  3. poll (every `pollIntervalMs`, after each onBar, or poll(); poller.ts, order_gateway.ts):
//     new fills are booked in the ledger (as SimBroker: one net position per symbol, pnl net of
//     fees in quote; spot only: a fee paid in the coin shrinks what a buy adds, a remainder
//     below the lot is closed with the position) and returned by the next onBar of their symbol.
//     Contracts: funding payments are journaled and booked to the position (funding.ts).
//  4. brackets (brackets.ts): once an entry is filled its exits go out (stop-market and
//     take-profit, reduce only, sized to what the entry added; a take-profit-market trigger on
//     contracts). When one fills the broker cancels the other (OCO); when the position is flat
//     every exit left for that symbol is cancelled.
//  5. start-up: reconcile() (reconcile.ts) settles what the journal left unfinished and compares
//     contract positions with the exchange's.
// Refused at submit: derivatives where the exchange has no `derivatives` row, inverse
// contracts, trailing stops, icebergs and IOC.

import type { Exchange } from "ccxt";
import type { Candle } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type {
  ExitReason,
  Fill,
  OrderRequest,
  PositionView,
  Refusal,
  Trade,
} from "../core/trading.ts";
import type { Accepted, Broker, Clock, OrderRefusal, OrderView } from "../core/ports.ts";
import type { IntentRecords, OrderJournal } from "../core/order_journal.ts";
import { Reconciler, type ReconcileReport } from "./reconcile.ts";
import { startFailure } from "./exchange_orders.ts";
import { type CcxtBrokerOptions, stderrLog } from "./ccxt_broker_options.ts";
import { ContractSetup } from "./derivatives.ts";
import { type Funding, fundingFor } from "./funding.ts";
import { Brackets } from "./brackets.ts";
import { OrderChecks } from "./checks.ts";
import type { LiveOrder } from "./orders.ts";
import { LiveLedger } from "./ledger.ts";
import { OrderGateway } from "./order_gateway.ts";
import { Poller } from "./poller.ts";
import { LiveVenue } from "./venue.ts";

export type { ReconcileReport } from "./reconcile.ts";
export type { CcxtBrokerOptions } from "./ccxt_broker_options.ts";

/**
 * A Broker that trades on a real exchange through a ccxt client with API keys (spot markets, and
 * linear perpetuals where the exchange supports them, e.g. "BTC/USDT:USDT" on binanceusdm).
 * Call `reconcile()` once at start-up before submitting; `flush()` waits for queued sends and
 * `close()` stops polling.
 *
 * @example
 * ```ts
 * const ex = createExchange("okx", { credentials });
 * const broker = new CcxtBroker(ex, { exchange: "okx", journal });
 * const report = await broker.reconcile(); // markets, balance, unfinished orders
 * broker.submit({ clientId: "live-BTC/USDT-1704067200000-open", symbol: "BTC/USDT", side: "buy",
 *   type: "market", size: { kind: "equity", fraction: 0.1 }, bracket: { sl: 41_000 } }, ts);
 * await broker.flush();
 * ```
 */
export class CcxtBroker implements Broker {
  #refusalsTaken = 0;
  readonly #venue: LiveVenue;
  readonly #journal: OrderJournal;
  readonly #quote: string;
  readonly #cash: number | undefined;
  readonly #pollOnBar: boolean;
  readonly #ledger: LiveLedger;
  readonly #gateway: OrderGateway;
  readonly #checks: OrderChecks;
  readonly #funding: Funding | undefined;
  readonly #poller: Poller;
  readonly #reconciler: Reconciler;
  #started = false;

  /** A broker on `exchange` (a ccxt client with keys); see CcxtBrokerOptions for defaults. */
  constructor(exchange: Exchange, options: CcxtBrokerOptions) {
    if (!options?.journal) {
      throw new ConfigError("CcxtBroker needs a journal: pass { journal } in its options.");
    }
    const journal = options.journal;
    const clock: Clock = options.clock ?? { now: () => Date.now() };
    const venue = new LiveVenue(exchange, {
      name: options.exchange,
      retry: options.retry,
      log: options.log ?? stderrLog,
    });
    this.#venue = venue;
    this.#journal = journal;
    this.#quote = options.quote ?? "USDT";
    this.#cash = options.cash;
    const leverage = options.leverage ?? 1;
    this.#pollOnBar = options.pollOnBar ?? true;
    const ledger = new LiveLedger(venue, leverage);
    this.#ledger = ledger;
    const brackets = new Brackets(ledger, venue, clock);
    const log = venue.log.bind(venue);
    this.#gateway = new OrderGateway({
      venue,
      ledger,
      journal,
      clock,
      brackets,
      setup: new ContractSetup(exchange, leverage, venue.call, log),
      records: (clientId) => this.intentRecords?.(clientId),
    });
    this.#checks = new OrderChecks({
      markets: venue,
      ledger,
      clientIds: this.#gateway,
      label: venue.label,
      derivatives: venue.derivatives,
      leverage,
    });
    this.#funding = fundingFor(venue.info, {
      venue,
      ledger,
      journal,
      clock,
      everyMs: options.fundingPollMs,
    });
    this.#poller = new Poller(this.#gateway, ledger, {
      intervalMs: options.pollIntervalMs ?? 5000,
      funding: this.#funding,
    });
    this.#reconciler = new Reconciler({
      venue,
      ledger,
      journal,
      clock,
      gateway: this.#gateway,
      brackets,
      funding: this.#funding,
      quote: this.#quote,
      cash: options.cash,
      ledgerFromJournal: options.ledgerFromJournal,
    });
  }

  /**
   * The caller's records of an order, journaled with its intent before it is sent (a live bot's
   * decision and order rows; read back with `journaledRecords` of order_journal.ts).
   */
  intentRecords?: (clientId: string) => IntentRecords | undefined;

  /** The order journal this broker writes (read it with `journaledRecords`). */
  get journal(): OrderJournal {
    return this.#journal;
  }

  /** The exchange label used in messages ("OKX"). */
  get label(): string {
    return this.#venue.label;
  }

  /**
   * Loads the markets and the balance and starts the poll timer; `reconcile()` calls it.
   * Throws a ConfigError when the keys are refused, ExchangeTemporaryError when unreachable.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    try {
      await this.#venue.loadMarkets();
      this.#ledger.restart(this.#cash ?? await this.quoteBalance());
    } catch (err) {
      throw startFailure(err, this.#venue.label, this.#venue.secrets);
    }
    this.#started = true;
    this.#poller.start();
  }

  /**
   * The exchange's total balance of the ledger currency (free plus in orders); on a futures
   * exchange the wallet balance (margin included, unrealised P&L not).
   */
  quoteBalance(): Promise<number> {
    return this.#venue.quoteBalance(this.#quote);
  }

  /**
   * Start-up: starts the broker, then settles the journal's unfinished orders against the
   * exchange (see reconcile.ts) and reports coins of `symbols` it cannot account for; on
   * contracts, the exchange's positions (in `symbols` and the ledger's) are compared with the
   * ledger. Sends nothing itself; exits of entries that filled while away are queued. Call
   * once, before the first submit. Exchange failures come as our errors (keys redacted).
   */
  async reconcile(options: { symbols?: readonly string[] } = {}): Promise<ReconcileReport> {
    await this.start();
    try {
      return await this.#reconciler.run(options.symbols ?? []);
    } catch (err) {
      // no trading on a book that could not be settled
      this.#started = false;
      this.#poller.stop();
      throw startFailure(err, this.#venue.label, this.#venue.secrets);
    }
  }

  /** Accepts (and queues) an order or refuses it with a reason; see the file header. */
  submit(req: OrderRequest, ts: number): Accepted | Refusal {
    const res = this.#checks.check(req, this.#started);
    if (!res.ok) return res;
    const o: LiveOrder = { ...res.order, createdTs: ts };
    this.#gateway.send(o);
    return { ok: true, orderId: o.id };
  }

  /** Cancels one order (a bracket leg alone leaves its partner live); false when not open. */
  cancel(orderId: string): boolean {
    return this.#gateway.cancel(orderId);
  }

  /** Cancels every open order, of one symbol when given. */
  cancelAll(symbol?: string): void {
    this.#gateway.cancelAll(symbol);
  }

  /**
   * Marks `symbol` at the bar's close and returns the fills booked for it since the previous
   * call (polled in the background; `await poll()` first to include the latest). `lower` is
   * not used live.
   */
  onBar(symbol: string, bar: Candle): Fill[] {
    this.setMark(symbol, bar.close);
    if (this.#pollOnBar && this.#started) this.#poller.schedule();
    return this.#ledger.takeFills(symbol);
  }

  /** Sets the latest price of `symbol` (sizes, margin checks, equity). */
  setMark(symbol: string, price: number): void {
    this.#ledger.setMark(symbol, price);
  }

  /** Polls the exchange now and waits for it and everything it queued (exit legs, cancels). */
  async poll(): Promise<void> {
    this.#poller.schedule();
    await this.flush();
  }

  /** Waits until every queued send, cancel and poll is done. */
  flush(): Promise<void> {
    return this.#gateway.flush();
  }

  /** Stops the poll timer and waits for queued work. */
  async close(): Promise<void> {
    this.#poller.stop();
    await this.flush();
  }

  /**
   * Closes the position in `symbol` with a reduce-only market order after cancelling the
   * symbol's orders. Live fills are not immediate: this returns undefined and the fill arrives
   * through onBar. `price` is only the reference for the order.
   */
  closePosition(symbol: string, price: number, ts: number, reason: ExitReason): Fill | undefined {
    this.cancelAll(symbol);
    const p = this.#ledger.portfolio.position(symbol);
    if (p === undefined) return undefined;
    if (!this.#ledger.hasMark(symbol)) this.setMark(symbol, price);
    const res = this.submit({
      clientId: `${reason}:${symbol}:${ts}`,
      symbol,
      side: p.side === "long" ? "sell" : "buy",
      type: "market",
      size: { kind: "qty", qty: p.qty },
      reduceOnly: true,
      exitReason: reason,
    }, ts);
    if (!res.ok) this.#venue.log("error", "close-out refused", { symbol, reason: res.reason });
    return undefined;
  }

  /** The open position in `symbol` with its live exits' levels, or undefined. */
  position(symbol: string): PositionView | undefined {
    return this.#ledger.position(symbol);
  }

  /** Orders accepted and not finished (of one symbol when given), oldest first. */
  openOrders(symbol?: string): readonly OrderView[] {
    return this.#ledger.openOrders(symbol);
  }

  /** Ledger balance plus unrealised P&L at the latest marks. */
  equity(): number {
    return this.#ledger.equity();
  }

  /** Ledger balance: starting cash (plus adopted positions at cost) after realised P&L and fees. */
  balance(): number {
    return this.#ledger.balance();
  }

  /** Closed round trips booked by this broker, in closing order. */
  trades(): readonly Trade[] {
    return this.#ledger.trades();
  }

  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number } {
    return this.#ledger.costs();
  }

  /** Refusals not handed out yet (Broker port; see {@link refusals} for all of them). */
  takeRefusals(): readonly OrderRefusal[] {
    const all = this.refusals();
    if (all.length === this.#refusalsTaken) return NO_REFUSALS;
    const fresh = all.slice(this.#refusalsTaken);
    this.#refusalsTaken = all.length;
    return fresh;
  }

  /** Orders refused after acceptance (by the exchange, or unsent), in order. */
  refusals(): readonly OrderRefusal[] {
    return this.#ledger.refusals();
  }

  /** Every fill booked so far, in order. */
  fills(): readonly Fill[] {
    return this.#ledger.fills();
  }
}

const NO_REFUSALS: readonly OrderRefusal[] = Object.freeze([]);
