// Closed round trips, kept as columns and turned into Trade objects when they are read.

import type { ExitReason, PositionSide, Trade } from "../core/trading.ts";
import { room } from "./arrays.ts";
import { NameTable, reasonCode, reasonOf } from "./log_codes.ts";

/** Numbers a trade keeps: entry_ts, exit_ts, qty, entry_price, exit_price, fees, funding, pnl. */
const FIELDS = 8;
const PNL = 7;
const EXIT_TS = 1;

/**
 * The trades of an account, in closing order. A backtest closes tens of thousands and reads them
 * once, at the end (metrics, the result); kept as Trade objects, each with eight boxed doubles,
 * they were the largest thing the garbage collector copied during a run. Here the numbers sit in
 * one Float64Array, and symbol, side and exit reason in one integer tag; {@link all} builds the objects
 * the first time they are asked for, and the engine watches losses with {@link lastLossSince}
 * without building any.
 */
export class TradeLog {
  readonly #symbols = new NameTable();
  /** Symbol number << 5 | exit reason code << 1 | short. */
  #tag = new Uint32Array(64);
  #n = 0;
  #num = new Float64Array(FIELDS * 64);
  /** The trades built so far by `all` (a prefix of the log). */
  readonly #built: Trade[] = [];

  /** Number of trades. */
  get length(): number {
    return this.#n;
  }

  /** Appends one trade (the fields of a Trade, in its order). */
  add(
    symbol: string,
    side: PositionSide,
    entryTs: number,
    exitTs: number,
    qty: number,
    entryPrice: number,
    exitPrice: number,
    fees: number,
    funding: number,
    pnl: number,
    reason: ExitReason,
  ): void {
    const n = this.#n;
    const at = n * FIELDS;
    this.#num = room(this.#num, at);
    this.#tag = room(this.#tag, n);
    const v = this.#num;
    v[at] = entryTs;
    v[at + 1] = exitTs;
    v[at + 2] = qty;
    v[at + 3] = entryPrice;
    v[at + 4] = exitPrice;
    v[at + 5] = fees;
    v[at + 6] = funding;
    v[at + 7] = pnl;
    this.#tag[n] = (this.#symbols.code(symbol) << 5) | (reasonCode(reason) << 1) |
      (side === "short" ? 1 : 0);
    this.#n = n + 1;
  }

  /** Exit time of the latest losing trade (pnl < 0) from index `from` on; NaN when none. */
  lastLossSince(from: number): number {
    const v = this.#num;
    for (let k = this.#n - 1; k >= from; k--) {
      if (v[k * FIELDS + PNL] < 0) return v[k * FIELDS + EXIT_TS];
    }
    return NaN;
  }

  /** Every trade, in order, as Trade objects (built once each). */
  all(): readonly Trade[] {
    const out = this.#built;
    const v = this.#num;
    for (let k = out.length; k < this.#n; k++) {
      const at = k * FIELDS;
      const tag = this.#tag[k];
      out.push({
        symbol: this.#symbols.name(tag >>> 5),
        side: tag & 1 ? "short" : "long",
        entry_ts: v[at],
        exit_ts: v[at + 1],
        qty: v[at + 2],
        entry_price: v[at + 3],
        exit_price: v[at + 4],
        fees: v[at + 5],
        funding: v[at + 6],
        pnl: v[at + 7],
        exit_reason: reasonOf((tag >>> 1) & 15)!,
      });
    }
    return out;
  }
}
