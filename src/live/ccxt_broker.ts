// CcxtBroker: the live Broker. Orders go to a real exchange through ccxt, journaled before they
// are sent; fills come back by polling and are reported through onBar like SimBroker's. Spot
// markets, and linear perpetuals where the exchange's row in exchanges.ts has `derivatives`
// (Binance USDT-M), on isolated margin at the bot's `leverage`.
//
// Lifecycle of an order (the README's "lifecycle of an order" points here):
//  1. submit (synchronous): validated, rounded to the market's tick and step, a price-dependent
//     size resolved at the latest price (the limit or stop price, else the last bar close given
//     to onBar or setMark), checked against the minimums and the free quote balance (contracts:
//     notional / leverage plus the fee against the free margin; shorts allowed); refused with a
//     reason, or accepted and queued. Its id is the exchange client id ("tw" + hash of the
//     clientId), known before anything is sent.
//  2. send (async, one at a time, in order): before a contract symbol's first opening order,
//     isolated margin and the leverage are set (else nothing is sent: refused). The intent is
//     written to the journal FIRST; then createOrder with that client id (contracts: amounts in
//     contracts, `reduceOnly` sent). Temporary failures are retried, but after a failure whose
//     effect is unclear the order is looked up by its client id before any resend (see
//     exchange_orders.ts): an order is never created twice. Then ack, or rejected (a refusal
//     with the exchange's message, seen by the engine through refusals()).
//  3. poll (every `pollIntervalMs`, after each onBar, or poll()): new fills are booked in the
//     ledger (as SimBroker: one net position per symbol, pnl net of fees in quote; spot only:
//     a fee paid in the coin shrinks what a buy adds, a remainder below the lot is closed with
//     the position) and returned by the next onBar of their symbol. Contracts: funding payments
//     are journaled and booked to the position (live_funding.ts).
//  4. brackets: once an entry is filled its exits go out (stop-market and take-profit, reduce
//     only, sized to what the entry added; a take-profit-market trigger on contracts). When one
//     fills the broker cancels the other (OCO); when the position is flat every exit left for
//     that symbol is cancelled.
//  5. start-up: reconcile() (broker_reconcile.ts) settles what the journal left unfinished and
//     compares contract positions with the exchange's (live_derivatives.ts).
// Refused at submit: derivatives where the exchange has no `derivatives` row, inverse
// contracts, trailing stops, icebergs and IOC.

import { withDefaults } from "../core/options.ts";
import type { Exchange } from "ccxt";
import type { Candle } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type { ExitReason, Fill, OrderRequest, Refusal } from "../core/trading.ts";
import { Portfolio } from "../account/portfolio.ts";
import type { Accepted, Broker, Clock } from "../core/ports.ts";
import { reconcile, type ReconcileReport } from "./reconcile.ts";
import { brief, type CallOptions, redact, startFailure } from "./exchange_orders.ts";
import { type CcxtBrokerOptions, labelOf, stderrLog } from "./ccxt_broker_options.ts";
import type { IntentRecords, OrderJournal } from "../core/order_journal.ts";
import { LiveAccountView } from "./account_view.ts";
import { comparePositions, ContractSetup, walletBalance } from "./derivatives.ts";
import { type ExchangeInfo, findExchangeInfo } from "../exchange/exchanges.ts";
import { fundingFor, type LiveFunding } from "./funding.ts";
import { afterCancel, afterFill, type BracketHost, placeLegs } from "./brackets.ts";
import { checkOrder } from "./checks.ts";
import { type LiveMarket, liveMarket } from "./market.ts";
import { isActive, LiveBook, type LiveOrder } from "./orders.ts";
import { type LiveCore, pollSymbol } from "./poll.ts";
import { cancelOrder, sendOrder } from "./sender.ts";
import { withRetry } from "../exchange/retry.ts";
import { SerialQueue } from "./serial_queue.ts";

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
export class CcxtBroker extends LiveAccountView implements Broker {
  readonly #ex: Exchange;
  readonly #name: string;
  readonly #quote: string;
  readonly #cash: number | undefined;
  readonly #ledgerFromJournal: boolean;
  readonly #clock: Clock;
  readonly #call: CallOptions;
  readonly #pollMs: number;
  readonly #pollOnBar: boolean;
  readonly #sink: NonNullable<CcxtBrokerOptions["log"]>;
  readonly #book: LiveBook;
  readonly #queue: SerialQueue;
  readonly #clientIds = new Set<string>();
  readonly #core: LiveCore;
  readonly #host: BracketHost;
  readonly #venue: ExchangeInfo | undefined;
  readonly #leverage: number;
  readonly #funding: LiveFunding | undefined;
  #started = false;
  #pollQueued = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** A broker on `exchange` (a ccxt client with keys); see CcxtBrokerOptions for defaults. */
  constructor(exchange: Exchange, options: CcxtBrokerOptions) {
    if (!options?.journal) {
      throw new ConfigError("CcxtBroker needs a journal: pass { journal } in its options.");
    }
    const book = new LiveBook();
    super(book);
    this.#book = book;
    this.#ex = exchange;
    this.#name = options.exchange ?? exchange.id;
    this.#quote = options.quote ?? "USDT";
    this.#cash = options.cash;
    this.#ledgerFromJournal = options.ledgerFromJournal === true && options.cash !== undefined;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#pollMs = options.pollIntervalMs ?? 5000;
    this.#pollOnBar = options.pollOnBar ?? true;
    this.#sink = options.log ?? stderrLog;
    this.#venue = findExchangeInfo(this.#name, exchange.id);
    this.#leverage = options.leverage ?? 1;
    const retry = withDefaults({ attempts: 5, baseMs: 500, maxMs: 10_000 }, options.retry);
    this.#call = {
      label: labelOf(this.#name, exchange.id),
      retry,
      orderTradesParam: this.#venue?.orderTradesParam,
      triggerClientIdParam: this.#venue?.triggerClientIdParam,
    };
    this.#queue = new SerialQueue((err, job) =>
      this.#log("warn", `live broker job "${job}" failed`, { error: brief(err) })
    );
    this.#book.dust = (s) => {
      // spot: the coins a buy's fee left below the step or the minimum can never be sold; a
      // contract position is whole steps on the exchange, so less than half a step is float noise
      const m = this.#market(s);
      return m === undefined
        ? 0
        : m.spot
        ? Math.max(m.rules.qtyStep, m.rules.minQty)
        : m.rules.qtyStep / 2;
    };
    this.#book.leverage = (s) => this.#market(s)?.spot === false ? this.#leverage : 1;
    const log: LiveCore["log"] = (level, msg, fields) => this.#log(level, msg, fields);
    const setup = new ContractSetup(exchange, this.#leverage, this.#call, log);
    this.#core = {
      name: this.#name,
      redact: (text) => redact(text, this.#secrets()),
      afterAck: (o) => {
        if (o.cancelWanted) this.#queueCancel(o);
      },
      ex: exchange,
      journal: options.journal,
      book: this.#book,
      call: this.#call,
      clock: this.#clock,
      market: (s) => this.#market(s),
      afterFill: (o) => afterFill(this.#host, o),
      afterCancel: (o) => afterCancel(this.#host, o),
      prepare: (s) => setup.prepare(s, this.#market(s)),
      log,
      records: (clientId) => this.intentRecords?.(clientId),
    };
    this.#funding = fundingFor(this.#core, this.#venue, options.fundingPollMs);
    this.#host = {
      book: this.#book,
      market: (s) => this.#market(s),
      now: () => this.#clock.now(),
      log,
      cancel: (id) => this.cancel(id),
      send: (leg) => this.#send(leg),
    };
  }

  #secrets(): string[] {
    return [this.#ex.apiKey, this.#ex.secret, this.#ex.password];
  }

  #log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
    const clean = JSON.parse(redact(JSON.stringify(fields), this.#secrets()));
    this.#sink(level, redact(msg, this.#secrets()), clean);
  }

  #market(symbol: string): LiveMarket | undefined {
    return liveMarket(this.#ex, symbol);
  }

  /**
   * The caller's records of an order, journaled with its intent before it is sent (a live bot's
   * decision and order rows; read back with `journaledRecords` of order_journal.ts).
   */
  intentRecords?: (clientId: string) => IntentRecords | undefined;

  /** The order journal this broker writes (read it with `journaledRecords`). */
  get journal(): OrderJournal {
    return this.#core.journal;
  }

  /** The exchange label used in messages ("OKX"). */
  get label(): string {
    return this.#call.label;
  }

  /**
   * Loads the markets and the balance and starts the poll timer; `reconcile()` calls it.
   * Throws a ConfigError when the keys are refused, ExchangeTemporaryError when unreachable.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    try {
      await withRetry(() => this.#ex.loadMarkets(), this.#call.retry);
      // reconcile lists open orders of every symbol once; Binance warns about that by default
      if (this.#venue?.derivatives) this.#ex.options.warnOnFetchOpenOrdersWithoutSymbol = false;
      this.#book.pf = new Portfolio(this.#cash ?? await this.quoteBalance(), 0);
    } catch (err) {
      throw startFailure(err, this.#call.label, this.#secrets());
    }
    this.#started = true;
    if (this.#pollMs > 0) {
      const timer = setInterval(() => this.#schedulePoll(), this.#pollMs);
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  /**
   * The exchange's total balance of the ledger currency (free plus in orders); on a futures
   * exchange the wallet balance (margin included, unrealised P&L not).
   */
  async quoteBalance(): Promise<number> {
    if (this.#venue?.derivatives) return walletBalance(this.#ex, this.#quote, this.#call);
    const b = await withRetry(() => this.#ex.fetchBalance(), this.#call.retry);
    return Number((b.total as unknown as Record<string, number> | undefined)?.[this.#quote] ?? 0);
  }

  /**
   * Start-up: starts the broker, then settles the journal's unfinished orders against the
   * exchange (see broker_reconcile.ts) and reports coins of `symbols` it cannot account for;
   * on contracts, the exchange's positions (in `symbols` and the ledger's) are compared with
   * the ledger. Sends nothing itself; exits of entries that filled while away are queued. Call
   * once, before the first submit. Exchange failures come as our errors (keys redacted).
   */
  async reconcile(options: { symbols?: readonly string[] } = {}): Promise<ReconcileReport> {
    await this.start();
    try {
      const journal = this.#core.journal;
      const symbols = options.symbols ?? [];
      const report = await reconcile(this.#core, {
        symbols,
        cash: this.#cash,
        history: this.#ledgerFromJournal && journal.entries ? () => journal.entries!() : undefined,
        quoteBalance: () => this.quoteBalance(),
        funding: this.#funding,
        adopt: (o) => {
          this.#book.add(o);
          this.#clientIds.add(o.clientId);
        },
        placeExits: (entry) => placeLegs(this.#host, entry),
        cancel: (o) => void this.cancel(o.id),
      });
      if (this.#venue?.derivatives?.positions) await comparePositions(this.#core, symbols, report);
      return report;
    } catch (err) {
      // no trading on a book that could not be settled
      this.#started = false;
      this.#stopTimer();
      throw startFailure(err, this.#call.label, this.#secrets());
    }
  }

  /** Accepts (and queues) an order or refuses it with a reason; see the file header. */
  submit(req: OrderRequest, ts: number): Accepted | Refusal {
    const res = checkOrder(req, {
      started: this.#started,
      label: this.#call.label,
      known: (id) => this.#clientIds.has(id),
      market: (s) => this.#market(s),
      book: this.#book,
      derivatives: this.#venue?.derivatives !== undefined,
      leverage: this.#leverage,
    });
    if (!res.ok) return res;
    const o: LiveOrder = { ...res.order, createdTs: ts };
    this.#send(o);
    return { ok: true, orderId: o.id };
  }

  /** Tracks `o` and queues its send. */
  #send(o: LiveOrder): void {
    this.#book.add(o);
    this.#clientIds.add(o.clientId);
    this.#queue.push(`send ${o.clientId}`, () => sendOrder(this.#core, o));
  }

  /** Cancels one order (a bracket leg alone leaves its partner live); false when not open. */
  cancel(orderId: string): boolean {
    const o = this.#book.orders.get(orderId);
    if (o === undefined || !isActive(o) || o.cancelWanted) return false;
    o.cancelWanted = true;
    if (o.status !== "queued") this.#queueCancel(o);
    return true;
  }

  #queueCancel(o: LiveOrder): void {
    this.#queue.push(`cancel ${o.clientId}`, () => cancelOrder(this.#core, o));
  }

  /** Cancels every open order, of one symbol when given. */
  cancelAll(symbol?: string): void {
    for (const o of this.#book.active(symbol)) this.cancel(o.id);
  }

  /**
   * Marks `symbol` at the bar's close and returns the fills booked for it since the previous
   * call (polled in the background; `await poll()` first to include the latest). `lower` is
   * not used live.
   */
  onBar(symbol: string, bar: Candle): Fill[] {
    this.setMark(symbol, bar.close);
    if (this.#pollOnBar && this.#started) this.#schedulePoll();
    const out = this.#book.pending.get(symbol);
    if (!out || out.length === 0) return [];
    this.#book.pending.set(symbol, []);
    return out;
  }

  /** Sets the latest price of `symbol` (sizes, margin checks, equity). */
  setMark(symbol: string, price: number): void {
    this.#book.marks.set(symbol, price);
    const p = this.#book.pf.position(symbol);
    if (p !== undefined) p.mark = price;
  }

  #schedulePoll(): void {
    if (this.#pollQueued) return;
    this.#pollQueued = true;
    this.#queue.push("poll", async () => {
      this.#pollQueued = false;
      const symbols = new Set(this.#book.active().map((o) => o.symbol));
      await this.#funding?.beforeFills();
      for (const s of symbols) await pollSymbol(this.#core, s);
      await this.#funding?.afterFills();
    });
  }

  /** Polls the exchange now and waits for it and everything it queued (exit legs, cancels). */
  async poll(): Promise<void> {
    this.#schedulePoll();
    await this.flush();
  }

  /** Waits until every queued send, cancel and poll is done. */
  flush(): Promise<void> {
    return this.#queue.idle();
  }

  /** Stops the poll timer and waits for queued work. */
  async close(): Promise<void> {
    this.#stopTimer();
    await this.flush();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Closes the position in `symbol` with a reduce-only market order after cancelling the
   * symbol's orders. Live fills are not immediate: this returns undefined and the fill arrives
   * through onBar. `price` is only the reference for the order.
   */
  closePosition(symbol: string, price: number, ts: number, reason: ExitReason): Fill | undefined {
    this.cancelAll(symbol);
    const p = this.#book.pf.position(symbol);
    if (p === undefined) return undefined;
    if (!this.#book.marks.has(symbol)) this.setMark(symbol, price);
    const res = this.submit({
      clientId: `${reason}:${symbol}:${ts}`,
      symbol,
      side: p.side === "long" ? "sell" : "buy",
      type: "market",
      size: { kind: "qty", qty: p.qty },
      reduceOnly: true,
      exitReason: reason,
    }, ts);
    if (!res.ok) this.#log("error", "close-out refused", { symbol, reason: res.reason });
    return undefined;
  }
}
