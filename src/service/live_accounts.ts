// Live bots' exchange accounts: one CcxtBroker a bot, keys from the environment, one journal.

import type { Exchange } from "ccxt";
import { ConfigError } from "../core/errors.ts";
import { CcxtBroker, type CcxtBrokerOptions } from "../live/ccxt_broker.ts";
import { createExchange, type ExchangeCredentials } from "../exchange/ccxt_client.ts";
import type { JournalEntry, OrderIntent, OrderJournal } from "../core/order_journal.ts";
import type { Db } from "../store/db.ts";
import { DuckOrderJournal } from "../store/order_journal_store.ts";
import type { BotSpec } from "./bot_types.ts";
import { checkLiveApproval } from "./live_gate.ts";
import { log } from "./log.ts";

/** Options for {@link LiveAccounts.open}. */
export interface LiveAccountsOptions {
  /** The environment with TRADING_MODE, TRADING_APPROVED and the keys [Deno.env]. */
  env?: Record<string, string | undefined>;
  /** Builds the ccxt client of an exchange [createExchange with the keys; REST origin from
   * `TIDEWATCH_<ID>_URL` when set]. Tests point it at the loopback fake. */
  exchange?: (name: string, credentials: ExchangeCredentials) => Exchange;
  /** Extra broker options (poll interval, retries, clock) for every bot. */
  broker?: Partial<Omit<CcxtBrokerOptions, "journal" | "exchange" | "cash">>;
}

/**
 * Hands each live bot its own {@link CcxtBroker} over one durable order journal (DuckDB table
 * `live_orders`). A bot sees only the journal entries of its exchange and symbol, so its
 * start-up reconciliation settles its own orders and no other bot's; that is why two live bots
 * may not trade the same symbol on the same exchange (`botEntries` refuses it). The bot's
 * `virtual_balance` is the budget it sizes against, not the whole account.
 */
export class LiveAccounts {
  readonly #brokers = new Set<CcxtBroker>();

  private constructor(
    readonly journal: DuckOrderJournal,
    private readonly o: Required<Omit<LiveAccountsOptions, "broker">> & LiveAccountsOptions,
  ) {}

  /** Loads the journal from `db`. */
  static async open(db: Db, options: LiveAccountsOptions = {}): Promise<LiveAccounts> {
    const journal = await DuckOrderJournal.open(db);
    return new LiveAccounts(journal, {
      env: options.env ?? Deno.env.toObject(),
      exchange: options.exchange ??
        ((name, credentials) => createExchange(name, { credentials })),
      broker: options.broker,
    });
  }

  /**
   * A new broker for `spec` (call `reconcile()` on it before trading). Throws a ConfigError
   * naming what is missing when live trading is not approved for the bot's exchange.
   */
  broker(spec: BotSpec): CcxtBroker {
    const gate = checkLiveApproval(this.o.env, spec.exchange);
    if (!gate.ok) {
      throw new ConfigError(`Bot "${spec.botId}" cannot trade live: ${gate.message}`);
    }
    const b = new CcxtBroker(this.o.exchange(spec.exchange, gate.credentials), {
      ...this.o.broker,
      exchange: spec.exchange,
      journal: scopedJournal(this.journal, spec.exchange, spec.symbol),
      cash: spec.virtualBalance,
      leverage: spec.leverage,
      ledgerFromJournal: true,
      log: (level, msg, fields) => log(level, msg, { bot: spec.botId, ...fields }),
    });
    this.#brokers.add(b);
    return b;
  }

  /** Stops a broker's polling once its bot halts. */
  async release(b: CcxtBroker): Promise<void> {
    this.#brokers.delete(b);
    await b.close();
  }

  /** Stops every broker still open. */
  async close(): Promise<void> {
    for (const b of [...this.#brokers]) await this.release(b);
  }
}

/** `journal` as one bot sees it: entries and funding payments of its exchange and symbol only. */
export function scopedJournal(
  journal: OrderJournal,
  exchange: string,
  symbol: string,
): OrderJournal {
  const mine = (e: JournalEntry) => e.exchange === exchange && e.symbol === symbol;
  return {
    intent: (i: OrderIntent) => journal.intent(i),
    ack: (id, orderId, ts) => journal.ack(id, orderId, ts),
    rejected: (id, r, ts) => journal.rejected(id, r, ts),
    notSent: (id, reason, ts) => journal.notSent(id, reason, ts),
    fill: (id, f) => journal.fill(id, f),
    filled: (id, ts) => journal.filled(id, ts),
    cancelled: (id, ts) => journal.cancelled(id, ts),
    unfinished: async () => (await journal.unfinished()).filter(mine),
    entries: async () => (await journal.entries?.() ?? []).filter(mine),
    funding: journal.funding ? (f) => journal.funding!(f) : undefined,
    fundings: async () =>
      (await journal.fundings?.() ?? []).filter((f) =>
        f.exchange === exchange && f.symbol === symbol
      ),
    byClientId: (id) => journal.byClientId(id),
    byExchangeClientId: (id) => journal.byExchangeClientId(id),
  };
}
