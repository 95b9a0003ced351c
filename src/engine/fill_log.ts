// The simulated broker's history of fills, kept as columns and turned into Fill objects on request.

import type { ExitReason, Fill, OrderSide } from "../core/trading.ts";

/** Doubles `buf` when `n` values fill it; returns the buffer to write into. */
function room(buf: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (n < buf.length) return buf;
  const next = new Float64Array(buf.length * 2);
  next.set(buf);
  return next;
}

/**
 * Every fill so far, in order. A backtest makes tens of thousands of fills and reads the history
 * rarely (`SimBroker.fills()`), so it is kept as columns: the numbers in typed arrays, the
 * strings (shared with orders and decisions) in plain arrays. A Fill object with its four boxed
 * doubles, kept for the whole run, cost the garbage collector more than the fill itself; the
 * object the broker returns for the bar is short-lived. {@link all} builds equal objects (same
 * fields in the same order) the first time it is asked for them.
 */
export class FillLog {
  #n = 0;
  readonly #orderId: string[] = [];
  readonly #clientId: string[] = [];
  readonly #symbol: string[] = [];
  readonly #side: OrderSide[] = [];
  readonly #liquidity: ("maker" | "taker")[] = [];
  /** The exit reason of a fill that reduced a position, else undefined. */
  readonly #exitReason: (ExitReason | undefined)[] = [];
  #qty = new Float64Array(64);
  #price = new Float64Array(64);
  #fee = new Float64Array(64);
  #ts = new Float64Array(64);
  /** The fills built so far by `all` (a prefix of the log). */
  readonly #built: Fill[] = [];

  /** Number of fills. */
  get length(): number {
    return this.#n;
  }

  /** Appends a copy of `f`'s fields. */
  push(f: Fill): void {
    const n = this.#n;
    this.#orderId.push(f.orderId);
    this.#clientId.push(f.clientId);
    this.#symbol.push(f.symbol);
    this.#side.push(f.side);
    this.#liquidity.push(f.liquidity);
    this.#exitReason.push(f.exitReason);
    this.#qty = room(this.#qty, n);
    this.#qty[n] = f.qty;
    this.#price = room(this.#price, n);
    this.#price[n] = f.price;
    this.#fee = room(this.#fee, n);
    this.#fee[n] = f.fee;
    this.#ts = room(this.#ts, n);
    this.#ts[n] = f.ts;
    this.#n = n + 1;
  }

  /** Every fill, in order, as Fill objects (built once each; `exitReason` only when set). */
  all(): readonly Fill[] {
    const out = this.#built;
    for (let k = out.length; k < this.#n; k++) {
      const f: Fill = {
        orderId: this.#orderId[k],
        clientId: this.#clientId[k],
        symbol: this.#symbol[k],
        side: this.#side[k],
        qty: this.#qty[k],
        price: this.#price[k],
        fee: this.#fee[k],
        liquidity: this.#liquidity[k],
        ts: this.#ts[k],
      };
      const reason = this.#exitReason[k];
      if (reason !== undefined) f.exitReason = reason;
      out.push(f);
    }
    return out;
  }
}
