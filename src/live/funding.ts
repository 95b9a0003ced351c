// Funding payments of perpetuals in the live ledger: fetched from the exchange while a contract
// position is open, journaled and booked once each (by the exchange's id), rebuilt at start-up.
//
// When (rate limits: Binance weighs an income query 30 of its 2400 a minute):
// - Before a poll books fills, each open contract position is checked when due: never checked
//   yet, `everyMs` passed since its last check (default 5 minutes, `fundingPollMs`), or a whole
//   UTC hour began since (funding settles on the hour: every 8 h on most Binance symbols, 4 h or
//   1 h on some). One `fetchFundingHistory(symbol, since)` call a check, since the latest
//   payment seen (else the position's entry), paged by 1000.
// - After the fills, a position that closed gets one last check: a payment settled before the
//   close but listed only after it.
// Booking: a payment at a time the open position already existed is the position's funding
// (its trade carries it at close, as in the simulator); one within a closed trade's span (seen
// too late) goes to the balance only (`position: false`; the trade was already reported);
// others (before the position, or an untracked one's) are skipped. Each is journaled before it
// is booked; one the journal already has is not booked again.
// Start-up (reconcile.ts): the journaled payments of the replayed symbols, and those
// settled while the bot was away (fetched since the last journaled one), are replayed with the
// fills in time order (a payment before a fill of the same millisecond); a payment found at
// start-up counts only inside a replayed position, and is journaled then.

import type { FundingHistory } from "ccxt";
import type { Portfolio } from "../account/portfolio.ts";
import type { Clock } from "../core/ports.ts";
import type { JournalFunding, OrderJournal } from "../core/order_journal.ts";
import type { ExchangeInfo } from "../exchange/exchanges.ts";
import { withRetry } from "../exchange/retry.ts";
import type { LiveLedger } from "./ledger.ts";
import type { LiveVenue } from "./venue.ts";

/** A payment for the start-up replay; `fresh`: found at the exchange now, not journaled yet. */
export interface ReplayPayment extends JournalFunding {
  fresh: boolean;
}

const HOUR = 3_600_000;
/** Rows a funding history call asks for (Binance's maximum), and pages at most per check. */
const LIMIT = 1000;
const PAGES = 10;

/** The collaborators of {@link Funding}. */
export interface FundingDeps {
  venue: LiveVenue;
  /** The ledger payments are booked to. */
  ledger: LiveLedger;
  journal: OrderJournal;
  /** When checks are due. */
  clock: Clock;
  /** Check an open position at most this often, in ms (default 5 minutes). */
  everyMs?: number;
}

/**
 * The funding payments of one broker's contract positions: what was seen, when each symbol was
 * last checked (see the file header).
 *
 * @example
 * ```ts
 * const funding = new Funding({ venue, ledger, journal, clock });
 * await funding.beforeFills(); // a poll books its fills in between
 * await funding.afterFills();
 * ```
 */
export class Funding {
  readonly #seen = new Set<string>();
  /** Symbol → time of the latest payment seen (exchange time). */
  readonly #latest = new Map<string, number>();
  /** Symbol → clock time of its last check. */
  readonly #checked = new Map<string, number>();
  /** Contract symbols with a position at the last check (closed ones get one more). */
  readonly #held = new Set<string>();
  #warned = false;
  readonly #venue: LiveVenue;
  readonly #ledger: LiveLedger;
  readonly #journal: OrderJournal;
  readonly #clock: Clock;
  /** Check an open position at most this often, in ms. */
  readonly everyMs: number;

  /** Funding of `deps.ledger`, checked at most every `deps.everyMs` (see the file header). */
  constructor(deps: FundingDeps) {
    this.#venue = deps.venue;
    this.#ledger = deps.ledger;
    this.#journal = deps.journal;
    this.#clock = deps.clock;
    this.everyMs = deps.everyMs ?? 300_000;
  }

  /** Before a poll's fills: checks the open contract positions that are due. */
  async beforeFills(): Promise<void> {
    for (const p of [...this.#ledger.portfolio.openPositions]) {
      if (this.#venue.market(p.symbol)?.linear !== true) continue;
      this.#held.add(p.symbol);
      const now = this.#clock.now();
      const last = this.#checked.get(p.symbol);
      const due = last === undefined || now - last >= this.everyMs ||
        Math.floor(now / HOUR) > Math.floor(last / HOUR);
      if (due) await this.#guarded(p.symbol);
    }
  }

  /** After a poll's fills: one last check of each position that closed. */
  async afterFills(): Promise<void> {
    for (const symbol of [...this.#held]) {
      if (this.#ledger.portfolio.position(symbol) !== undefined) continue;
      if (await this.#guarded(symbol)) this.#held.delete(symbol); // else again next poll
    }
  }

  /** Checks `symbol`; a failure is logged (and retried at the next poll), not thrown. */
  async #guarded(symbol: string): Promise<boolean> {
    try {
      await this.#check(symbol);
      return true;
    } catch (err) {
      const error = this.#venue.redact(err instanceof Error ? err.message : String(err));
      this.#venue.log("warn", "funding history not fetched: retried at the next poll", {
        symbol,
        error,
      });
      return false;
    }
  }

  async #check(symbol: string): Promise<void> {
    const pf = this.#ledger.portfolio;
    const start = pf.position(symbol)?.entryTs ?? lastTrade(pf, symbol)?.entry_ts;
    if (start === undefined) return;
    const now = this.#clock.now();
    const rows = await this.#since(symbol, Math.max(start, this.#latest.get(symbol) ?? start));
    this.#checked.set(symbol, now);
    for (const r of rows) await this.#book(symbol, r);
  }

  /** Journals and books one payment unless seen, or not the ledger's. */
  async #book(symbol: string, r: FundingHistory): Promise<void> {
    const id = String(r.id);
    const key = keyOf(symbol, id);
    if (this.#seen.has(key)) return;
    const ts = Number(r.timestamp);
    const pf = this.#ledger.portfolio;
    const p = pf.position(symbol);
    const open = p !== undefined && p.entryTs <= ts;
    if (
      !open && !pf.trades.some((t) => t.symbol === symbol && t.entry_ts <= ts && ts <= t.exit_ts)
    ) {
      this.#seen.add(key); // before the position, or not the bot's
      return;
    }
    const pay: JournalFunding = {
      exchange: this.#venue.name,
      symbol,
      id,
      ts,
      amount: -Number(r.amount), // the exchange's income: negative when paid
      position: open,
    };
    if (!Number.isFinite(pay.amount)) return;
    if (!await this.#record(pay)) {
      this.#seen.add(key);
      return;
    }
    pf.payFunding(open ? p : undefined, pay.amount);
    this.#remember(pay);
    this.#venue.log("info", "funding booked", { symbol, id, amount: pay.amount, position: open });
  }

  /** Writes `pay` to the journal; false when it is already there. */
  #record(pay: JournalFunding): Promise<boolean> {
    const j = this.#journal;
    if (j.funding) return j.funding(pay);
    if (!this.#warned) {
      this.#warned = true;
      this.#venue.log("warn", "journal keeps no funding: a restart will not rebuild it", {});
    }
    return Promise.resolve(true);
  }

  #remember(pay: JournalFunding): void {
    this.#seen.add(keyOf(pay.symbol, pay.id));
    this.#latest.set(pay.symbol, Math.max(this.#latest.get(pay.symbol) ?? -Infinity, pay.ts));
  }

  /**
   * Start-up: the payments to replay with the fills `fills` (symbol and time of each): the
   * journaled ones of those symbols, then, for each contract symbol, those settled since the
   * last journaled one (else its first fill) that the journal lacks (`fresh`). Oldest first.
   */
  async forReplay(fills: readonly { symbol: string; ts: number }[]): Promise<ReplayPayment[]> {
    const first = new Map<string, number>();
    for (const f of fills) first.set(f.symbol, Math.min(first.get(f.symbol) ?? f.ts, f.ts));
    const out: ReplayPayment[] = [];
    for (const pay of await this.#journal.fundings?.() ?? []) {
      if (pay.exchange !== this.#venue.name || !first.has(pay.symbol)) continue;
      this.#remember(pay);
      out.push({ ...pay, fresh: false });
    }
    for (const [symbol, from] of first) {
      if (this.#venue.market(symbol)?.linear !== true) continue;
      const since = Math.max(from, this.#latest.get(symbol) ?? from);
      const rows = await this.#since(symbol, since);
      this.#checked.set(symbol, this.#clock.now());
      for (const r of rows) {
        const id = String(r.id);
        const amount = -Number(r.amount);
        if (this.#seen.has(keyOf(symbol, id)) || !Number.isFinite(amount)) continue;
        const ts = Number(r.timestamp);
        out.push({
          exchange: this.#venue.name,
          symbol,
          id,
          ts,
          amount,
          position: true,
          fresh: true,
        });
      }
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  /** Start-up: journals the fresh payments the replay booked (`booked`), and remembers them. */
  async booked(booked: readonly ReplayPayment[]): Promise<void> {
    for (const { fresh, ...pay } of booked) {
      if (fresh) await this.#record(pay);
      this.#remember(pay);
      if (fresh) {
        this.#venue.log("info", "funding booked at start-up", { symbol: pay.symbol, id: pay.id });
      }
    }
    for (const p of this.#ledger.portfolio.openPositions) {
      if (this.#venue.market(p.symbol)?.linear === true) this.#held.add(p.symbol);
    }
  }

  /** Funding history of `symbol` since `since` (inclusive), paged. */
  async #since(symbol: string, since: number): Promise<FundingHistory[]> {
    const { ex, call } = this.#venue;
    const out: FundingHistory[] = [];
    let from = since;
    for (let page = 0; page < PAGES; page++) {
      const rows = await withRetry(() => ex.fetchFundingHistory(symbol, from, LIMIT), call.retry);
      out.push(...rows);
      const next = Math.max(...rows.map((r) => Number(r.timestamp)));
      if (rows.length < LIMIT || !(next > from)) break;
      from = next;
    }
    return out;
  }
}

/**
 * The funding of `deps.ledger` when the exchange's `derivatives` row (`info`) has `funding`;
 * else undefined (spot-only venues never ask).
 */
export function fundingFor(info: ExchangeInfo | undefined, deps: FundingDeps): Funding | undefined {
  return info?.derivatives?.funding ? new Funding(deps) : undefined;
}

/**
 * Books `pay` in a replayed ledger `pf`: a journaled payment always changes the balance (and is
 * the open position's funding when it was booked so); a fresh one counts only inside a
 * position. Whether it counted.
 */
export function replayPayment(pf: Portfolio, pay: ReplayPayment): boolean {
  const p = pf.position(pay.symbol);
  if (pay.fresh && p === undefined) return false;
  pf.payFunding(pay.position ? p : undefined, pay.amount);
  return true;
}

/** Fill events and payments in time order (a payment first within one millisecond). */
export function inTimeOrder<E extends { f: { ts: number } }>(
  events: readonly E[],
  pays: readonly ReplayPayment[],
): (E | ReplayPayment)[] {
  const out: (E | ReplayPayment)[] = [];
  let i = 0;
  for (const e of events) {
    while (i < pays.length && pays[i].ts <= e.f.ts) out.push(pays[i++]);
    out.push(e);
  }
  while (i < pays.length) out.push(pays[i++]);
  return out;
}

function lastTrade(pf: Portfolio, symbol: string) {
  for (let i = pf.trades.length - 1; i >= 0; i--) {
    if (pf.trades[i].symbol === symbol) return pf.trades[i];
  }
  return undefined;
}

function keyOf(symbol: string, id: string): string {
  return `${symbol}\u0000${id}`;
}
