// The live broker on linear contracts (USDT-margined perpetuals): leverage and margin mode set
// before the first order of a symbol, the wallet balance, and the exchange's positions compared
// with the ledger at start-up.

import ccxt from "ccxt";
import type { Exchange, Position as CcxtPosition } from "ccxt";
import type { PositionSide } from "../core/trading.ts";
import { brief, type CallOptions } from "./exchange_orders.ts";
import type { ReconcileReport } from "./reconcile.ts";
import { fromContracts, type LiveMarket } from "./market.ts";
import type { LiveCore } from "./poll.ts";
import { withRetry } from "../exchange/retry.ts";

/** An exchange position no reconciled order accounts for (see ReconcileReport). */
export interface UntrackedPosition {
  symbol: string;
  side: PositionSide;
  /** Base units. */
  qty: number;
  entryPrice: number;
}

/**
 * Margin mode and leverage set once per contract symbol before its first opening order; after
 * a failure the next order tries again.
 */
export class ContractSetup {
  readonly #done = new Map<string, Promise<string | undefined>>();

  constructor(
    readonly ex: Exchange,
    readonly leverage: number,
    readonly call: CallOptions,
    readonly log: LiveCore["log"],
  ) {}

  /** Why `symbol` cannot take orders, or undefined (nothing to do unless `m` is linear). */
  prepare(symbol: string, m: LiveMarket | undefined): Promise<string | undefined> {
    if (m?.linear !== true) return Promise.resolve(undefined);
    let p = this.#done.get(symbol);
    if (p === undefined) {
      p = setupContract(this.ex, symbol, this.leverage, this.call).then((why) => {
        if (why !== undefined) {
          this.#done.delete(symbol);
          this.log("error", "contract symbol not prepared", { symbol, reason: why });
        }
        return why;
      });
      this.#done.set(symbol, p);
    }
    return p;
  }
}

/** Whether `err` says the margin mode is already the one asked for (not an error). */
function alreadySet(err: unknown): boolean {
  if (err instanceof ccxt.MarginModeAlreadySet) return true;
  return /no need to change/i.test(err instanceof Error ? err.message : String(err));
}

/**
 * Sets isolated margin and `leverage` on `symbol` (a linear contract). Resolves to why it
 * failed (a sentence; nothing should be sent), else undefined. "No need to change" answers are
 * fine; temporary failures are retried.
 */
export async function setupContract(
  ex: Exchange,
  symbol: string,
  leverage: number,
  o: CallOptions,
): Promise<string | undefined> {
  if (!Number.isInteger(leverage) || leverage < 1) {
    return `leverage ${leverage} is not a whole number of at least 1, which ${o.label} needs; ` +
      `set the bot's leverage to 1, 2, 3, …`;
  }
  try {
    await withRetry(() => ex.setMarginMode("isolated", symbol), o.retry);
  } catch (err) {
    if (!alreadySet(err)) {
      return `${o.label} did not switch ${symbol} to isolated margin (${brief(err)}); ` +
        `close the symbol's positions and orders, or set isolated margin by hand, then retry.`;
    }
  }
  try {
    await withRetry(() => ex.setLeverage(leverage, symbol), o.retry);
  } catch (err) {
    return `${o.label} did not set ${symbol} to ${leverage}x leverage (${brief(err)}); ` +
      `check the symbol's maximum leverage on the exchange.`;
  }
  return undefined;
}

/**
 * The wallet balance of `quote` on a futures account (margin included, unrealised P&L not):
 * what the ledger's balance is. Falls back to ccxt's total when the answer has no wallet figure.
 */
export async function walletBalance(ex: Exchange, quote: string, o: CallOptions): Promise<number> {
  const b = await withRetry(() => ex.fetchBalance(), o.retry);
  const info = b.info as Record<string, unknown> | unknown[] | undefined;
  const rows = Array.isArray(info)
    ? info
    : Array.isArray((info as Record<string, unknown> | undefined)?.assets)
    ? (info as { assets: unknown[] }).assets
    : [];
  for (const row of rows as Record<string, unknown>[]) {
    if (row?.asset !== quote) continue;
    const w = Number(row.walletBalance ?? row.balance);
    if (Number.isFinite(w)) return w;
  }
  return Number((b.total as unknown as Record<string, number> | undefined)?.[quote] ?? 0);
}

/** Base-unit size and side of a ccxt position (0 when flat). */
function sizeOf(core: LiveCore, p: CcxtPosition): { qty: number; side: PositionSide } {
  const contracts = Math.abs(Number(p.contracts ?? 0));
  const signed = Number((p.info as Record<string, unknown> | undefined)?.positionAmt ?? NaN);
  const side: PositionSide = p.side === "short" || p.side === "long"
    ? p.side
    : signed < 0
    ? "short"
    : "long";
  return { qty: fromContracts(core.market(String(p.symbol)), contracts), side };
}

/**
 * Compares the exchange's positions in `symbols` (and in the ledger's) with the ledger, after
 * the ledger is rebuilt: a position the ledger does not hold goes to `untrackedPositions`, a
 * side or size that differs to `problems`; both are logged. Nothing is sent.
 */
export async function comparePositions(
  core: LiveCore,
  symbols: readonly string[],
  report: ReconcileReport,
): Promise<void> {
  const pf = core.book.pf;
  const wanted = new Set(
    [...symbols, ...pf.openPositions.map((p) => p.symbol)].filter((s) =>
      core.market(s)?.linear === true
    ),
  );
  if (wanted.size === 0) return;
  const list = [...wanted];
  const at = await withRetry(() => core.ex.fetchPositions(list), core.call.retry);
  const seen = new Set<string>();
  const label = core.call.label;
  for (const p of at) {
    const symbol = String(p.symbol);
    if (!wanted.has(symbol)) continue;
    const { qty, side } = sizeOf(core, p);
    if (!(qty > 0)) continue;
    seen.add(symbol);
    const mine = pf.position(symbol);
    if (mine === undefined) {
      const entryPrice = Number(p.entryPrice ?? 0);
      report.untrackedPositions.push({ symbol, side, qty, entryPrice });
      core.log("warn", "exchange position not in the ledger: left alone", { symbol, side, qty });
    } else if (mine.side !== side || Math.abs(mine.qty - qty) > 1e-9 * Math.max(1, qty)) {
      const msg = `The journal gives a ${mine.qty} ${mine.side} position in ${symbol} but ` +
        `${label} has ${qty} ${side}; check it on the exchange by hand.`;
      report.problems.push(msg);
      core.log("error", "position differs from the exchange", { symbol, ledger: mine.qty, qty });
    }
  }
  for (const p of pf.openPositions) {
    if (!wanted.has(p.symbol) || seen.has(p.symbol)) continue;
    report.problems.push(
      `The journal gives a ${p.qty} ${p.side} position in ${p.symbol} but ${label} has none; ` +
        `check it on the exchange by hand.`,
    );
    core.log("error", "ledger position missing at the exchange", { symbol: p.symbol });
  }
}
