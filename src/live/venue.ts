// The exchange as the live broker talks to it: the ccxt client with keys, its name and label,
// the call settings (retries, venue params), its markets, its balance, and messages redacted of
// the keys.

import { withDefaults } from "../core/options.ts";
import type { Exchange } from "ccxt";
import { type ExchangeInfo, findExchangeInfo } from "../exchange/exchanges.ts";
import { type RetryOptions, withRetry } from "../exchange/retry.ts";
import { type CallOptions, redact } from "./exchange_orders.ts";
import { labelOf, type LiveLog } from "./ccxt_broker_options.ts";
import { walletBalance } from "./derivatives.ts";
import { type LiveMarket, liveMarket } from "./market.ts";

/** Settings of a {@link LiveVenue}. */
export interface LiveVenueOptions {
  /** Exchange name as configured, for the journal and messages (default: the ccxt id). */
  name?: string;
  /** Retries of exchange calls (default 5 attempts, 500 ms doubling to 10 s). */
  retry?: RetryOptions;
  /** Where messages go, after redaction (see CcxtBrokerOptions.log). */
  log: LiveLog;
}

/**
 * One exchange account of the live broker: what every part of it needs to call the exchange
 * and to speak about it.
 *
 * @example
 * ```ts
 * const venue = new LiveVenue(createExchange("okx", { credentials }), { log: stderrLog });
 * await venue.loadMarkets();
 * venue.market("BTC/USDT")?.rules.tickSize;
 * ```
 */
export class LiveVenue {
  /** The ccxt client (with the API keys). */
  readonly ex: Exchange;
  /** Exchange name for the journal ("okx"). */
  readonly name: string;
  /** Retries, label and the venue's params, as the calls of exchange_orders.ts take them. */
  readonly call: CallOptions;
  /** The exchange's row in exchanges.ts, when configured. */
  readonly info: ExchangeInfo | undefined;
  readonly #sink: LiveLog;

  /** The venue of `exchange` (a ccxt client with keys). */
  constructor(exchange: Exchange, options: LiveVenueOptions) {
    this.ex = exchange;
    this.name = options.name ?? exchange.id;
    this.info = findExchangeInfo(this.name, exchange.id);
    this.#sink = options.log;
    this.call = {
      label: labelOf(this.name, exchange.id),
      retry: withDefaults({ attempts: 5, baseMs: 500, maxMs: 10_000 }, options.retry),
      orderTradesParam: this.info?.orderTradesParam,
      triggerClientIdParam: this.info?.triggerClientIdParam,
    };
  }

  /** The exchange label used in messages ("OKX"). */
  get label(): string {
    return this.call.label;
  }

  /** Whether the exchange trades linear contracts live (exchanges.ts `derivatives`). */
  get derivatives(): boolean {
    return this.info?.derivatives !== undefined;
  }

  /** The API key, secret and passphrase: never in logs or replies. */
  get secrets(): string[] {
    return [this.ex.apiKey, this.ex.secret, this.ex.password];
  }

  /** `text` with the API keys replaced by "***". */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Logs `msg` and `fields`, redacted of the keys. */
  log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
    const clean = JSON.parse(this.redact(JSON.stringify(fields)));
    this.#sink(level, this.redact(msg), clean);
  }

  /** The rules of `symbol` from the loaded markets, or undefined when the exchange lacks it. */
  market(symbol: string): LiveMarket | undefined {
    return liveMarket(this.ex, symbol);
  }

  /** Loads the markets (retried); on a futures exchange, quiets ccxt's open-orders warning. */
  async loadMarkets(): Promise<void> {
    await withRetry(() => this.ex.loadMarkets(), this.call.retry);
    // reconcile lists open orders of every symbol once; Binance warns about that by default
    if (this.info?.derivatives) this.ex.options.warnOnFetchOpenOrdersWithoutSymbol = false;
  }

  /**
   * The exchange's total balance of `quote` (free plus in orders); on a futures exchange the
   * wallet balance (margin included, unrealised P&L not).
   */
  async quoteBalance(quote: string): Promise<number> {
    if (this.info?.derivatives) return walletBalance(this.ex, quote, this.call);
    const b = await withRetry(() => this.ex.fetchBalance(), this.call.retry);
    return Number((b.total as unknown as Record<string, number> | undefined)?.[quote] ?? 0);
  }
}
