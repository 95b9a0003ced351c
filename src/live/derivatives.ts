// The live broker on linear contracts (USDT-margined perpetuals): leverage and margin mode set
// before the first order of a symbol, and the wallet balance. (The exchange's positions are
// compared with the ledger at start-up in reconcile.ts.)

import ccxt from "ccxt";
import type { Exchange } from "ccxt";
import { brief, type CallOptions } from "./exchange_orders.ts";
import type { LiveMarket } from "./market.ts";
import type { LiveLog } from "./ccxt_broker_options.ts";
import { withRetry } from "../exchange/retry.ts";

/**
 * Margin mode and leverage set once per contract symbol before its first opening order; after
 * a failure the next order tries again.
 */
export class ContractSetup {
  readonly #done = new Map<string, Promise<string | undefined>>();

  /** Sets up `ex`'s contract symbols at `leverage`; failures are logged to `log`. */
  constructor(
    readonly ex: Exchange,
    readonly leverage: number,
    readonly call: CallOptions,
    readonly log: LiveLog,
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
