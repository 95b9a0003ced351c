// Closed round trips, kept as columns and turned into Trade objects when they are read.

import type { Trade } from "../core/trading.ts";
import { room } from "./arrays.ts";
import { NameTable, reasonCode, reasonOf } from "./log_codes.ts";

/** Numbers a trade keeps: entry_ts, exit_ts, qty, entry_price, exit_price, fees, funding, pnl. */
const FIELDS = 8;

/** Where a ledger keeps its closed trades, in closing order, and reads them back. */
export interface TradeBook {
  /** Records a closed trade (a copy of its fields may be kept). */
  trade(t: Trade): void;
  /** Every trade recorded, in order. */
  trades(): readonly Trade[];
}

/**
 * The trades of an account, in closing order. A backtest closes tens of thousands and reads them
 * once, at the end (metrics, the result); kept as Trade objects, each with eight boxed doubles,
 * they were the largest thing the garbage collector copied during a run. Here the numbers sit in
 * one Float64Array, and symbol, side and exit reason in one integer tag; {@link trades} builds
 * the objects the first time they are asked for.
 */
export class TradeLog implements TradeBook {
  readonly #symbols = new NameTable();
  /** Symbol number << 5 | exit reason code << 1 | short. */
  #tag = new Uint32Array(64);
  #n = 0;
  #num = new Float64Array(FIELDS * 64);
  /** The trades built so far by `trades` (a prefix of the log). */
  readonly #built: Trade[] = [];

  /** Number of trades. */
  get length(): number {
    return this.#n;
  }

  /** Appends a copy of `t`'s fields. */
  trade(t: Trade): void {
    const n = this.#n;
    const at = n * FIELDS;
    this.#num = room(this.#num, at);
    this.#tag = room(this.#tag, n);
    const v = this.#num;
    v[at] = t.entry_ts;
    v[at + 1] = t.exit_ts;
    v[at + 2] = t.qty;
    v[at + 3] = t.entry_price;
    v[at + 4] = t.exit_price;
    v[at + 5] = t.fees;
    v[at + 6] = t.funding;
    v[at + 7] = t.pnl;
    this.#tag[n] = (this.#symbols.code(t.symbol) << 5) | (reasonCode(t.exit_reason) << 1) |
      (t.side === "short" ? 1 : 0);
    this.#n = n + 1;
  }

  /** Every trade, in order, as Trade objects (built once each). */
  trades(): readonly Trade[] {
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
