// The order journal port: every live order is written down before it is sent, then its fate.
//
// Lifecycle of one entry (status):
//   intent ──ack──▶ acked ──filled / cancelled──▶ done
//     │              (fills are appended while acked, and may also arrive after cancelled)
//     ├──rejected──▶ rejected   (the exchange said no; never retried)
//     └──notSent───▶ not_sent   (found missing at start-up; stale, never resent)
// An entry left in `intent` means "maybe sent": only a look-up at the exchange by its exchange
// client id can tell (CcxtBroker.reconcile does that). Records are plain, serialisable objects;
// times are UTC epoch milliseconds; prices and quantities are numbers in the market's units.

import { InputError } from "./errors.ts";
import type { ExitReason, OrderSide, OrderType } from "./trading.ts";

/** Where an order stands. `intent` and `acked` are unfinished; the others are final. */
export type JournalStatus = "intent" | "acked" | "filled" | "cancelled" | "rejected" | "not_sent";

/** What an order is for: a plain order, or the stop / take-profit leg of a bracket. */
export type OrderRole = "order" | "sl" | "tp";

/** An order as decided, written before anything is sent. */
export interface OrderIntent {
  /** Our client id (from the decision); unique in the journal. */
  clientId: string;
  /** The id sent to the exchange (`clOrdId` / `algoClOrdId` on OKX); unique in the journal. */
  exchangeClientId: string;
  /** Exchange name as in the config ("okx"). */
  exchange: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** Quantity sent, resolved and rounded (base units). */
  qty: number;
  /** Limit price, rounded to the tick. */
  price?: number;
  /** Trigger price, rounded to the tick. */
  stopPrice?: number;
  reduceOnly: boolean;
  role: OrderRole;
  /** Sent as an exchange conditional (algo) order, looked up as one. */
  algo: boolean;
  /** For a bracket leg: the client id of its entry. */
  parentClientId?: string;
  /** For an entry: the exits to place once it fills (rounded prices). */
  bracket?: { sl?: number; tp?: number; slPct?: number; tpPct?: number };
  /** Reason recorded on fills that reduce a position. */
  exitReason?: ExitReason;
  /** Decision time. */
  ts: number;
  /**
   * What the caller records of the order besides the journal (a bot's decision and order rows),
   * written with the intent before the order is sent: after a crash the order at the exchange
   * still has the record of why it was sent.
   */
  records?: IntentRecords;
}

/** Rows a bot stores for an order (see `OrderIntent.records`), as plain JSON values. */
export interface IntentRecords {
  decisions: Record<string, unknown>[];
  orders: Record<string, unknown>[];
}

/** One execution of a journaled order. `fee` is in quote currency and >= 0. */
export interface JournalFill {
  /** The exchange's trade id; a fill is recorded once per trade id. */
  tradeId: string;
  qty: number;
  price: number;
  fee: number;
  /**
   * Part of `qty` the exchange kept as the fee (spot buys on OKX pay in the base currency),
   * so the position grew by `qty - feeQty`. 0 when the fee was paid in quote.
   */
  feeQty: number;
  liquidity: "maker" | "taker";
  ts: number;
}

/**
 * A funding payment of a perpetual booked into the live ledger, journaled when booked so a
 * restart rebuilds it (and never books it twice).
 */
export interface JournalFunding {
  /** Exchange name as in the config ("binanceusdm"). */
  exchange: string;
  symbol: string;
  /** The exchange's id of the payment (Binance `tranId`); unique per exchange and symbol. */
  id: string;
  /** When the exchange settled it. */
  ts: number;
  /** Quote currency paid (negative: received), as `Position.funding` counts it. */
  amount: number;
  /**
   * Booked to the open position's funding (its trade carries it); false: to the balance only,
   * the position had closed before the payment was seen.
   */
  position: boolean;
}

/** A journal record: the intent, its status, the exchange's id and the fills so far. */
export interface JournalEntry extends OrderIntent {
  status: JournalStatus;
  /** The exchange's order id (`ordId`, or `algoId` for algo orders) once acknowledged. */
  exchangeOrderId?: string;
  /** Why it was rejected or not sent: a machine code and a sentence. */
  code?: string;
  reason?: string;
  fills: JournalFill[];
  /** Time of the latest change. */
  updatedTs: number;
}

/**
 * Durable record of live orders, written by CcxtBroker. Every method is idempotent where that
 * makes sense (a second `ack` with the same id, a fill with a known trade id: no change), so a
 * retried write after a crash does no harm. Implementations: {@link MemoryOrderJournal} (tests),
 * a DuckDB-backed one in the store.
 */
export interface OrderJournal {
  /**
   * Stores a new intent with status `intent`. Rejects (throws an InputError) when the client id
   * or the exchange client id is already in the journal: the order must not be sent again.
   */
  intent(intent: OrderIntent): Promise<void>;
  /**
   * The exchange acknowledged the order under `exchangeOrderId`; status `acked`. No change
   * once rejected or not_sent; the first id recorded stays.
   */
  ack(clientId: string, exchangeOrderId: string, ts: number): Promise<void>;
  /** The exchange refused the order; status `rejected` with `code` and `reason`. */
  rejected(clientId: string, refusal: { code: string; reason: string }, ts: number): Promise<void>;
  /** The order never reached the exchange and will not be sent; status `not_sent`. */
  notSent(clientId: string, reason: string, ts: number): Promise<void>;
  /** Appends a fill (ignored when its trade id is already recorded). */
  fill(clientId: string, fill: JournalFill): Promise<void>;
  /** The order is completely filled; status `filled`. */
  filled(clientId: string, ts: number): Promise<void>;
  /** The order was cancelled (possibly after partial fills); status `cancelled`. */
  cancelled(clientId: string, ts: number): Promise<void>;
  /** Entries in `intent` or `acked`, oldest intent first. */
  unfinished(): Promise<JournalEntry[]>;
  /** The entry of our client id, if any. */
  byClientId(clientId: string): Promise<JournalEntry | undefined>;
  /** The entry sent under this exchange client id, if any. */
  byExchangeClientId(exchangeClientId: string): Promise<JournalEntry | undefined>;
  /**
   * Every entry, oldest intent first (optional: a broker whose ledger is a bot's own budget
   * rebuilds it from every journaled fill, see `CcxtBrokerOptions.ledgerFromJournal`).
   */
  entries?(): Promise<JournalEntry[]>;
  /**
   * Records a funding payment before it is booked; resolves to false (no change) when one with
   * its exchange, symbol and id is already recorded. Optional: without it the broker books
   * funding but cannot rebuild it at a restart.
   */
  funding?(payment: JournalFunding): Promise<boolean>;
  /** Every recorded funding payment, oldest first (see `funding`). */
  fundings?(): Promise<JournalFunding[]>;
}

/** Statuses an entry may move to from each status (fills may still arrive after `cancelled`). */
const NEXT: Record<JournalStatus, readonly JournalStatus[]> = {
  intent: ["acked", "rejected", "not_sent", "filled", "cancelled"],
  acked: ["filled", "cancelled"],
  filled: [],
  cancelled: [],
  rejected: [],
  not_sent: [],
};

/**
 * An {@link OrderJournal} in memory (tests, and a model of what a durable one must do). Returned
 * entries are copies: changing them changes nothing here.
 *
 * @example
 * ```ts
 * const journal = new MemoryOrderJournal();
 * const broker = new CcxtBroker(exchange, { exchange: "okx", journal });
 * ```
 */
export class MemoryOrderJournal implements OrderJournal {
  readonly #entries = new Map<string, JournalEntry>();
  readonly #byExchangeId = new Map<string, string>();
  readonly #funding = new Map<string, JournalFunding>();

  /** Stores a new intent; throws an InputError for a known client id or exchange client id. */
  intent(intent: OrderIntent): Promise<void> {
    if (this.#entries.has(intent.clientId)) {
      return Promise.reject(duplicate("client id", intent.clientId));
    }
    if (this.#byExchangeId.has(intent.exchangeClientId)) {
      return Promise.reject(duplicate("exchange client id", intent.exchangeClientId));
    }
    const entry: JournalEntry = {
      ...structuredClone(intent),
      status: "intent",
      fills: [],
      updatedTs: intent.ts,
    };
    this.#entries.set(intent.clientId, entry);
    this.#byExchangeId.set(intent.exchangeClientId, intent.clientId);
    return Promise.resolve();
  }

  /** Records the exchange's order id; status `acked` (no change once final). */
  ack(clientId: string, exchangeOrderId: string, ts: number): Promise<void> {
    return this.#change(clientId, (e) => {
      if (e.status === "rejected" || e.status === "not_sent") return;
      e.exchangeOrderId ??= exchangeOrderId;
      move(e, "acked", ts);
    });
  }

  /** Status `rejected` with the exchange's code and reason. */
  rejected(clientId: string, refusal: { code: string; reason: string }, ts: number): Promise<void> {
    return this.#change(clientId, (e) => {
      if (move(e, "rejected", ts)) (e.code = refusal.code, e.reason = refusal.reason);
    });
  }

  /** Status `not_sent` with the reason. */
  notSent(clientId: string, reason: string, ts: number): Promise<void> {
    return this.#change(clientId, (e) => {
      if (move(e, "not_sent", ts)) (e.code = "not_sent", e.reason = reason);
    });
  }

  /** Appends a fill unless its trade id is known. */
  fill(clientId: string, fill: JournalFill): Promise<void> {
    return this.#change(clientId, (e) => {
      if (e.fills.some((f) => f.tradeId === fill.tradeId)) return;
      e.fills.push({ ...fill });
      e.updatedTs = Math.max(e.updatedTs, fill.ts);
    });
  }

  /** Status `filled`. */
  filled(clientId: string, ts: number): Promise<void> {
    return this.#change(clientId, (e) => void move(e, "filled", ts));
  }

  /** Status `cancelled`. */
  cancelled(clientId: string, ts: number): Promise<void> {
    return this.#change(clientId, (e) => void move(e, "cancelled", ts));
  }

  /** Entries in `intent` or `acked`, in the order they were written. */
  unfinished(): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    for (const e of this.#entries.values()) {
      if (e.status === "intent" || e.status === "acked") out.push(structuredClone(e));
    }
    return Promise.resolve(out);
  }

  /** A copy of the entry of `clientId`. */
  byClientId(clientId: string): Promise<JournalEntry | undefined> {
    const e = this.#entries.get(clientId);
    return Promise.resolve(e && structuredClone(e));
  }

  /** A copy of the entry sent as `exchangeClientId`. */
  byExchangeClientId(exchangeClientId: string): Promise<JournalEntry | undefined> {
    const id = this.#byExchangeId.get(exchangeClientId);
    return this.byClientId(id ?? "\u0000");
  }

  /** Records a funding payment; false when its exchange, symbol and id are known. */
  funding(payment: JournalFunding): Promise<boolean> {
    const key = fundingKey(payment);
    if (this.#funding.has(key)) return Promise.resolve(false);
    this.#funding.set(key, { ...payment });
    return Promise.resolve(true);
  }

  /** Copies of the funding payments, oldest first. */
  fundings(): Promise<JournalFunding[]> {
    const out = [...this.#funding.values()].map((f) => ({ ...f }));
    return Promise.resolve(out.sort((a, b) => a.ts - b.ts));
  }

  /** Puts back an entry read from durable storage (start-up of a durable journal). */
  restore(entry: JournalEntry): void {
    this.#entries.set(entry.clientId, structuredClone(entry));
    this.#byExchangeId.set(entry.exchangeClientId, entry.clientId);
  }

  /** Every entry in the order written (copies): for tests and the status page. */
  all(): JournalEntry[] {
    return [...this.#entries.values()].map((e) => structuredClone(e));
  }

  #change(clientId: string, fn: (e: JournalEntry) => void): Promise<void> {
    const e = this.#entries.get(clientId);
    if (e === undefined) {
      return Promise.reject(
        new InputError(
          `Order "${clientId}" is not in the journal; record its intent before anything else.`,
        ),
      );
    }
    fn(e);
    return Promise.resolve();
  }
}

/** The identity of a funding payment. */
function fundingKey(f: JournalFunding): string {
  return JSON.stringify([f.exchange, f.symbol, f.id]);
}

/** Moves `e` to `to` when allowed from its status; false (no change) otherwise. */
function move(e: JournalEntry, to: JournalStatus, ts: number): boolean {
  if (e.status === to || !NEXT[e.status].includes(to)) return false;
  e.status = to;
  e.updatedTs = Math.max(e.updatedTs, ts);
  return true;
}

function duplicate(what: string, id: string): InputError {
  return new InputError(
    `Order ${what} "${id}" is already in the journal; it is never sent twice. ` +
      `Use a new client id for a new decision.`,
  );
}

/** Every record journaled with an intent (`OrderIntent.records`) in `journal`, oldest first. */
export async function journaledRecords(journal: OrderJournal): Promise<IntentRecords[]> {
  const entries = journal.entries ? await journal.entries() : [];
  return entries.flatMap((e) => (e.records ? [e.records] : []));
}
