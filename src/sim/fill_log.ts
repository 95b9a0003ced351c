// The simulated broker's history of fills, kept as columns and turned into Fill objects on request.

import type { Fill } from "../core/trading.ts";
import { room } from "../account/arrays.ts";
import { NameTable, reasonCode, reasonOf } from "../account/log_codes.ts";

/**
 * Every fill so far, in order. A backtest makes tens of thousands of fills and reads the history
 * rarely (`SimBroker.fills()`), so it is kept as columns in typed arrays: the four numbers; side,
 * liquidity, exit reason and symbol (by index in a table) as one integer tag; the order id as
 * its number (the broker's ids are `${prefix}${n}`, rebuilt when read). Only the client id is
 * kept as a string. Fill objects kept for the whole run (four boxed doubles each), a plain array
 * per field, or an object of names per fill: each cost the garbage collector or the pushes more
 * than the fill itself. {@link all} builds equal objects (same fields in the same order) the
 * first time it is asked for them.
 */
export class FillLog {
  readonly #prefix: string;
  readonly #clientId: string[] = [];
  /** Symbol index << 6 | exit reason code << 2 | taker << 1 | sell. */
  #tag = new Uint32Array(64);
  /** The number of the order id; NaN when the id is not `${prefix}${n}` (see #otherIds). */
  #seq = new Float64Array(64);
  readonly #otherIds = new Map<number, string>();
  readonly #symbols = new NameTable();
  #qty = new Float64Array(64);
  #price = new Float64Array(64);
  #fee = new Float64Array(64);
  #ts = new Float64Array(64);
  /** The fills built so far by `all` (a prefix of the log). */
  readonly #built: Fill[] = [];

  /** A log of the fills of a broker whose order ids are `${idPrefix}${n}`. */
  constructor(idPrefix: string) {
    this.#prefix = idPrefix;
  }

  /** Number of fills. */
  get length(): number {
    return this.#clientId.length;
  }

  /** Appends a copy of `f`'s fields. */
  push(f: Fill): void {
    const n = this.#clientId.length;
    this.#clientId.push(f.clientId);
    if (n === this.#ts.length) this.#grow(n);
    this.#tag[n] = (this.#symbols.code(f.symbol) << 6) | (reasonCode(f.exitReason) << 2) |
      (f.liquidity === "taker" ? 2 : 0) | (f.side === "sell" ? 1 : 0);
    const seq = this.#seqOf(f.orderId);
    this.#seq[n] = seq;
    if (seq !== seq) this.#otherIds.set(n, f.orderId);
    this.#qty[n] = f.qty;
    this.#price[n] = f.price;
    this.#fee[n] = f.fee;
    this.#ts[n] = f.ts;
  }

  /** n of an order id `${prefix}${n}` (digits as `String(n)` writes them), else NaN. */
  #seqOf(id: string): number {
    const p = this.#prefix;
    const len = id.length;
    if (len <= p.length || len > p.length + 15 || !id.startsWith(p)) return NaN;
    if (id.charCodeAt(p.length) === 48 && len > p.length + 1) return NaN; // a leading zero
    let v = 0;
    for (let i = p.length; i < len; i++) {
      const d = id.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    return v;
  }

  #grow(n: number): void {
    this.#tag = room(this.#tag, n);
    this.#seq = room(this.#seq, n);
    this.#qty = room(this.#qty, n);
    this.#price = room(this.#price, n);
    this.#fee = room(this.#fee, n);
    this.#ts = room(this.#ts, n);
  }

  /** Every fill, in order, as Fill objects (built once each; `exitReason` only when set). */
  all(): readonly Fill[] {
    const out = this.#built;
    for (let k = out.length; k < this.#clientId.length; k++) {
      const tag = this.#tag[k];
      const seq = this.#seq[k];
      const f: Fill = {
        orderId: seq === seq ? `${this.#prefix}${seq}` : this.#otherIds.get(k)!,
        clientId: this.#clientId[k],
        symbol: this.#symbols.name(tag >>> 6),
        side: tag & 1 ? "sell" : "buy",
        qty: this.#qty[k],
        price: this.#price[k],
        fee: this.#fee[k],
        liquidity: tag & 2 ? "taker" : "maker",
        ts: this.#ts[k],
      };
      const reason = reasonOf((tag >>> 2) & 15);
      if (reason !== undefined) f.exitReason = reason;
      out.push(f);
    }
    return out;
  }
}
