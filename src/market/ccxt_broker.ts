// CcxtBroker: the live Broker. Orders go to a real exchange through ccxt, journaled before they
// are sent; fills come back by polling and are reported through onBar like SimBroker's.
//
// Lifecycle of an order (the README's "lifecycle of an order" points here):
//  1. submit (synchronous): validated, rounded to the market's tick and step, a price-dependent
//     size resolved at the latest price (the limit or stop price, else the last bar close given
//     to onBar or setMark), checked against the minimums and the free quote balance; refused
//     with a reason, or accepted and queued. Its id is the exchange client id ("tw" + hash of
//     the clientId), known before anything is sent.
//  2. send (async, one at a time, in order): the intent is written to the journal FIRST; then
//     createOrder with that client id. Temporary failures are retried, but after a failure whose
//     effect is unclear the order is looked up by its client id before any resend (see
//     exchange_orders.ts): an order is never created twice. Then ack, or rejected (a refusal
//     with the exchange's message, seen by the engine through refusals()).
//  3. poll (every `pollIntervalMs`, after each onBar, or poll()): new fills are booked in the
//     ledger (same accounting as SimBroker: one net position per symbol, pnl net of fees; spot
//     buys that pay the fee in the base currency grow the position by the net amount) and
//     returned by the next onBar of their symbol.
//  4. brackets: once an entry is filled its exits go out (stop-market and take-profit, reduce
//     only, sized to what the entry added). When one fills the broker cancels the other (OCO);
//     when the position is flat every exit left for that symbol is cancelled.
//  5. start-up: reconcile() (broker_reconcile.ts) settles what the journal left unfinished.
// Only spot markets are traded live for now; derivatives are refused at submit.

import type { Exchange } from "ccxt";
import type { Candle } from "../core/candles.ts";
import { ConfigError, ExchangeError, ExchangeTemporaryError, InputError } from "../core/errors.ts";
import type {
  ExitReason,
  Fill,
  OrderRequest,
  PositionView,
  Refusal,
  Trade,
} from "../core/trading.ts";
import { Portfolio } from "../engine/portfolio.ts";
import type { Accepted, Broker, Clock, OrderRefusal, OrderView } from "../engine/ports.ts";
import { exchangeInfo } from "./exchanges.ts";
import {
  brief,
  type CallOptions,
  cancelAtExchange,
  fetchOrderById,
  placeOnce,
  type PlaceSpec,
  redact,
} from "./exchange_orders.ts";
import { type LiveMarket, liveMarket } from "./live_market.ts";
import {
  intentOf,
  isActive,
  LiveBook,
  type LiveOrder,
  liveOrderView,
  livePositionView,
} from "./live_orders.ts";
import { acknowledge, type LiveCore, markCancelled, pollSymbol, settle } from "./live_poll.ts";
import { checkOrder } from "./live_checks.ts";
import { bracketLegs } from "./live_brackets.ts";
import type { OrderJournal } from "./order_journal.ts";
import { reconcile, type ReconcileReport } from "./broker_reconcile.ts";
import { type RetryOptions, withRetry } from "./retry.ts";
import { SerialQueue } from "./serial_queue.ts";
import ccxt from "ccxt";

export type { ReconcileReport } from "./broker_reconcile.ts";

/** Options for {@link CcxtBroker}. */
export interface CcxtBrokerOptions {
  /** Where intents, acks and fills are written (required). */
  journal: OrderJournal;
  /** Exchange name as configured, for the journal and messages (default: the ccxt id). */
  exchange?: string;
  /** Currency the ledger counts in (default "USDT"). */
  quote?: string;
  /** Starting ledger cash instead of the exchange's `quote` balance (default: fetched). */
  cash?: number;
  /** Time for journal records (default the wall clock). */
  clock?: Clock;
  /** Retries of exchange calls (default 5 attempts, 500 ms doubling to 10 s). */
  retry?: RetryOptions;
  /** Poll the exchange this often once started, in ms; 0 turns the timer off (default 5000). */
  pollIntervalMs?: number;
  /** Also poll after every onBar (default true). */
  pollOnBar?: boolean;
  /** Log sink; messages are redacted of keys (default: warnings and errors as JSON on stderr). */
  log?: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

/** The default log: warnings and errors as one JSON line on stderr. */
function stderrLog(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  if (level === "info") return;
  console.error(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
}

/**
 * A Broker that trades on a real exchange through a ccxt client with API keys (spot markets).
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
  readonly #ex: Exchange;
  readonly #journal: OrderJournal;
  readonly #name: string;
  readonly #quote: string;
  readonly #cash: number | undefined;
  readonly #clock: Clock;
  readonly #call: CallOptions;
  readonly #pollMs: number;
  readonly #pollOnBar: boolean;
  readonly #sink: NonNullable<CcxtBrokerOptions["log"]>;
  readonly #book = new LiveBook();
  readonly #queue: SerialQueue;
  readonly #clientIds = new Set<string>();
  readonly #core: LiveCore;
  #started = false;
  #pollQueued = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** A broker on `exchange` (a ccxt client with keys); see CcxtBrokerOptions for defaults. */
  constructor(exchange: Exchange, options: CcxtBrokerOptions) {
    if (!options?.journal) {
      throw new ConfigError("CcxtBroker needs a journal: pass { journal } in its options.");
    }
    this.#ex = exchange;
    this.#journal = options.journal;
    this.#name = options.exchange ?? exchange.id;
    this.#quote = options.quote ?? "USDT";
    this.#cash = options.cash;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#pollMs = options.pollIntervalMs ?? 5000;
    this.#pollOnBar = options.pollOnBar ?? true;
    this.#sink = options.log ?? stderrLog;
    let label = exchange.id;
    try {
      label = exchangeInfo(this.#name).label;
    } catch { /* an exchange without a table row keeps its ccxt id */ }
    this.#call = {
      label,
      retry: { attempts: 5, baseMs: 500, maxMs: 10_000, ...options.retry },
    };
    this.#queue = new SerialQueue((err, job) =>
      this.#log("warn", `live broker job "${job}" failed`, { error: brief(err) })
    );
    this.#core = {
      ex: exchange,
      journal: this.#journal,
      book: this.#book,
      call: this.#call,
      clock: this.#clock,
      market: (s) => this.#market(s),
      afterFill: (o) => this.#afterFill(o),
      afterCancel: (o) => this.#afterCancel(o),
      log: (level, msg, fields) => this.#log(level, msg, fields),
    };
  }

  #log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
    const secrets = [this.#ex.apiKey, this.#ex.secret, this.#ex.password];
    const clean = JSON.parse(redact(JSON.stringify(fields), secrets));
    this.#sink(level, redact(msg, secrets), clean);
  }

  #market(symbol: string): LiveMarket | undefined {
    return liveMarket(this.#ex, symbol);
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
      this.#book.pf = new Portfolio(this.#cash ?? await this.quoteBalance(), 0);
    } catch (err) {
      throw this.#startFailure(err);
    }
    this.#started = true;
    if (this.#pollMs > 0) {
      const timer = setInterval(() => this.#schedulePoll(), this.#pollMs);
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  /** The exchange's total balance of the ledger currency (free plus in orders). */
  async quoteBalance(): Promise<number> {
    const b = await withRetry(() => this.#ex.fetchBalance(), this.#call.retry);
    return Number((b.total as unknown as Record<string, number> | undefined)?.[this.#quote] ?? 0);
  }

  #startFailure(err: unknown): Error {
    const secrets = [this.#ex.apiKey, this.#ex.secret, this.#ex.password];
    const msg = redact(brief(err), secrets);
    const label = this.#call.label;
    if (err instanceof ccxt.AuthenticationError) {
      return new ConfigError(
        `${label} refused the API keys (${msg}). Check the key, secret and passphrase, ` +
          `and that the key may trade.`,
      );
    }
    if (err instanceof ccxt.NetworkError) {
      return new ExchangeTemporaryError(
        `${label} could not be reached (${msg}). Check the network and start the bot again.`,
      );
    }
    return new ExchangeError(`${label} failed at start-up (${msg}).`);
  }

  /**
   * Start-up: starts the broker, then settles the journal's unfinished orders against the
   * exchange (see broker_reconcile.ts). Sends nothing. Call once, before the first submit.
   */
  async reconcile(): Promise<ReconcileReport> {
    await this.start();
    const report = await reconcile(this.#core, {
      cash: this.#cash,
      quoteBalance: () => this.quoteBalance(),
      adopt: (o) => {
        this.#book.add(o);
        this.#clientIds.add(o.clientId);
      },
      placeExits: (entry) => this.#placeLegs(entry),
    });
    return report;
  }

  /** Accepts (and queues) an order or refuses it with a reason; see the file header. */
  submit(req: OrderRequest, ts: number): Accepted | Refusal {
    const res = checkOrder(req, {
      started: this.#started,
      label: this.#call.label,
      known: (id) => this.#clientIds.has(id),
      market: (s) => this.#market(s),
      book: this.#book,
    });
    if (!res.ok) return res;
    const o: LiveOrder = { ...res.order, createdTs: ts };
    this.#book.add(o);
    this.#clientIds.add(o.clientId);
    this.#queue.push(`send ${o.clientId}`, () => this.#send(o));
    return { ok: true, orderId: o.id };
  }

  /** Sends a queued order: journal first, then the exchange (never twice). */
  async #send(o: LiveOrder): Promise<void> {
    if (o.cancelWanted) {
      o.status = "cancelled"; // never left this process
      return;
    }
    o.status = "sending";
    const now = this.#clock.now();
    try {
      await this.#journal.intent(intentOf(o, this.#name));
    } catch (err) {
      o.status = "rejected";
      const dup = err instanceof InputError;
      this.#book.refuse(
        o,
        dup ? "duplicate_client_id" : "journal_failed",
        dup
          ? (err as Error).message
          : `Order "${o.clientId}" was not sent: the journal could not store it (${brief(err)}).`,
        now,
      );
      return;
    }
    const m = this.#market(o.symbol)!;
    const spec: PlaceSpec = {
      symbol: o.symbol,
      type: o.type === "market" || o.type === "stop_market" ? "market" : "limit",
      side: o.side,
      amount: o.qty,
      exchangeClientId: o.exchangeClientId,
      reduceOnly: o.reduceOnly && !m.spot,
    };
    if (spec.type === "limit") spec.price = o.price;
    if (o.stopPrice !== undefined) spec.triggerPrice = o.stopPrice;
    else if (o.algo) spec.triggerPrice = o.price; // a take-profit sent as a trigger at its limit
    let out;
    try {
      out = await placeOnce(this.#ex, spec, this.#call);
    } catch (err) {
      out = { kind: "unknown" as const, reason: brief(err) };
    }
    const secrets = [this.#ex.apiKey, this.#ex.secret, this.#ex.password];
    if (out.kind === "acked") {
      await acknowledge(this.#core, o, out.exchangeOrderId);
    } else if (out.kind === "rejected") {
      o.status = "rejected";
      const reason = redact(`Order "${o.clientId}": ${out.reason}`, secrets);
      await this.#journal.rejected(o.clientId, { code: out.code, reason }, this.#clock.now());
      this.#book.refuse(o, out.code, reason, this.#clock.now());
      if (o.role !== "order") {
        this.#log("error", "exit order refused: the position is not protected", {
          clientId: o.clientId,
          reason,
        });
      }
    } else {
      o.status = "unknown";
      this.#log("warn", "order state unclear after retries; it is looked up on every poll", {
        clientId: o.clientId,
        reason: redact(out.reason, secrets),
      });
    }
  }

  /** Cancels one order (a bracket leg alone leaves its partner live); false when not open. */
  cancel(orderId: string): boolean {
    const o = this.#book.orders.get(orderId);
    if (o === undefined || !isActive(o) || o.cancelWanted) return false;
    o.cancelWanted = true;
    if (o.status !== "queued") this.#queue.push(`cancel ${o.clientId}`, () => this.#cancelJob(o));
    return true;
  }

  async #cancelJob(o: LiveOrder): Promise<void> {
    if (o.status !== "open" || o.exchangeOrderId === undefined) return; // poll resolves the rest
    const fired = o.firedOrderId;
    const res = await cancelAtExchange(this.#ex, {
      symbol: o.symbol,
      exchangeOrderId: fired ?? o.exchangeOrderId,
      algo: o.algo && fired === undefined,
    }, this.#call);
    if (res === "cancelled") return markCancelled(this.#core, o);
    // no longer open: filled or cancelled meanwhile; learn which now
    const order = await fetchOrderById(
      this.#ex,
      o.symbol,
      o.exchangeOrderId,
      o.algo,
      this.#call,
    );
    await settle(this.#core, o, order);
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
      for (const s of symbols) await pollSymbol(this.#core, s);
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
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  #afterFill(o: LiveOrder): void {
    const pos = this.#book.pf.position(o.symbol);
    if (o.status === "filled" && o.bracket && !o.legs && pos !== undefined) this.#placeLegs(o);
    if (o.status === "filled" && o.oco && isActive(o.oco)) this.cancel(o.oco.id);
    if (pos === undefined) {
      for (const x of this.#book.active(o.symbol)) if (x.reduceOnly) this.cancel(x.id);
    }
  }

  #afterCancel(o: LiveOrder): void {
    const pos = this.#book.pf.position(o.symbol);
    if (o.netFilled > 0 && o.bracket && !o.legs && pos !== undefined) this.#placeLegs(o);
  }

  #placeLegs(entry: LiveOrder): void {
    const m = this.#market(entry.symbol)!;
    const res = bracketLegs(entry, m, this.#book.pf.position(entry.symbol)!);
    if (!res.ok) {
      this.#book.refuse(entry, res.code, res.reason, this.#clock.now());
      this.#log("error", "bracket not placed", { clientId: entry.clientId, reason: res.reason });
      return;
    }
    entry.legs = res.legs;
    for (const leg of res.legs) {
      this.#book.add(leg);
      this.#clientIds.add(leg.clientId);
      this.#queue.push(`send ${leg.clientId}`, () => this.#send(leg));
    }
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

  /** The open position in `symbol` with its live exits' levels, or undefined. */
  position(symbol: string): PositionView | undefined {
    return livePositionView(this.#book, symbol);
  }

  /** Orders accepted and not finished (of one symbol when given), oldest first. */
  openOrders(symbol?: string): readonly OrderView[] {
    return this.#book.active(symbol).filter((o) => !o.cancelWanted).map(liveOrderView);
  }

  /** Ledger balance plus unrealised P&L at the latest marks. */
  equity(): number {
    return this.#book.pf.equity();
  }

  /** Ledger balance: starting cash (plus adopted positions at cost) after realised P&L and fees. */
  balance(): number {
    return this.#book.pf.balance;
  }

  /** Closed round trips booked by this broker, in closing order. */
  trades(): readonly Trade[] {
    return this.#book.pf.trades;
  }

  /** Fees paid so far (no funding on spot). */
  costs(): { fees: number; funding: number } {
    return this.#book.pf.costs();
  }

  /** Orders refused after acceptance (by the exchange, or unsent), in order. */
  refusals(): readonly OrderRefusal[] {
    return this.#book.refusals;
  }

  /** Every fill booked so far, in order. */
  fills(): readonly Fill[] {
    return this.#book.fills;
  }
}
