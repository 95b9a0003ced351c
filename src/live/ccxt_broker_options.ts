// Options of the live broker (CcxtBroker), with their defaults, and its default log.

import type { Clock } from "../core/ports.ts";
import { exchangeInfo } from "../exchange/exchanges.ts";
import type { OrderJournal } from "../core/order_journal.ts";
import type { RetryOptions } from "../exchange/retry.ts";

/** Where the live broker's messages go (level, sentence, structured fields). */
export type LiveLog = (
  level: "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Options for `CcxtBroker` (ccxt_broker.ts). */
export interface CcxtBrokerOptions {
  /** Where intents, acks and fills are written (required). */
  journal: OrderJournal;
  /** Exchange name as configured, for the journal and messages (default: the ccxt id). */
  exchange?: string;
  /** Currency the ledger counts in (default "USDT"). */
  quote?: string;
  /** Starting ledger cash instead of the exchange's `quote` balance (default: fetched). */
  cash?: number;
  /**
   * With `cash`: the ledger starts at `cash` and replays every fill of the journal (which must
   * implement `entries`), so a restarted bot has its position, realised P&L and trades back,
   * not only what was unfinished (default false).
   */
  ledgerFromJournal?: boolean;
  /**
   * Leverage of contract positions (linear perpetuals): set on the exchange with isolated
   * margin before a symbol's first opening order, and the margin checks use it (default 1).
   * A whole number; spot ignores it.
   */
  leverage?: number;
  /** Time for journal records (default the wall clock). */
  clock?: Clock;
  /** Retries of exchange calls (default 5 attempts, 500 ms doubling to 10 s). */
  retry?: RetryOptions;
  /** Poll the exchange this often once started, in ms; 0 turns the timer off (default 5000). */
  pollIntervalMs?: number;
  /**
   * Check the funding payments of open contract positions at most this often, in ms, besides
   * once a new UTC hour and once after a close (default 300000; see funding.ts).
   */
  fundingPollMs?: number;
  /** Also poll after every onBar (default true). */
  pollOnBar?: boolean;
  /** Log sink; messages are redacted of keys (default: warnings and errors as JSON on stderr). */
  log?: LiveLog;
}

/** The label of a configured exchange ("OKX"), else the ccxt id. */
export function labelOf(name: string, ccxtId: string): string {
  try {
    return exchangeInfo(name).label;
  } catch {
    return ccxtId;
  }
}

/** The default log: warnings and errors as one JSON line on stderr. */
export function stderrLog(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  if (level === "info") return;
  console.error(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
}
