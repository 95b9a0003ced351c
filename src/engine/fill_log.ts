// The simulated broker's history of fills, kept compactly and turned into Fill objects on request.

import type { ExitReason, Fill, OrderSide } from "../core/trading.ts";

/** Doubles `buf` when `n` values fill it; returns the buffer to write into. */
function room(buf: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (n < buf.length) return buf;
  const next = new Float64Array(buf.length * 2);
  next.set(buf);
  return next;
}

/** The fields of a fill that are not numbers (strings shared with orders and decisions). */
class FillNames {
  constructor(
    readonly orderId: string,
    readonly clientId: string,
    readonly symbol: string,
    readonly side: OrderSide,
    readonly liquidity: "maker" | "taker",
    readonly exitReason: ExitReason | undefined,
  ) {}
}

/**
 * Every fill so far, in order. A backtest makes tens of thousands of fills and reads the history
 * rarely (`SimBroker.fills()`), so it is kept compactly: the four numbers in typed arrays, the
 * rest in one small object of pointers a fill. A Fill object with its four boxed doubles, kept
 * for the whole run, cost the garbage collector more than the fill itself, and a plain array
 * per field cost more in pushes than one object; the object the broker returns for the bar is
 * short-lived. {@link all} builds equal objects (same fields in the same order) the first time
 * it is asked for them.
 */
export class FillLog {
  readonly #names: FillNames[] = [];
  #qty = new Float64Array(64);
  #price = new Float64Array(64);
  #fee = new Float64Array(64);
  #ts = new Float64Array(64);
  /** The fills built so far by `all` (a prefix of the log). */
  readonly #built: Fill[] = [];

  /** Number of fills. */
  get length(): number {
    return this.#names.length;
  }

  /** Appends a copy of `f`'s fields. */
  push(f: Fill): void {
    const n = this.#names.length;
    this.#names.push(
      new FillNames(f.orderId, f.clientId, f.symbol, f.side, f.liquidity, f.exitReason),
    );
    if (n === this.#ts.length) this.#grow(n);
    this.#qty[n] = f.qty;
    this.#price[n] = f.price;
    this.#fee[n] = f.fee;
    this.#ts[n] = f.ts;
  }

  #grow(n: number): void {
    this.#qty = room(this.#qty, n);
    this.#price = room(this.#price, n);
    this.#fee = room(this.#fee, n);
    this.#ts = room(this.#ts, n);
  }

  /** Every fill, in order, as Fill objects (built once each; `exitReason` only when set). */
  all(): readonly Fill[] {
    const out = this.#built;
    for (let k = out.length; k < this.#names.length; k++) {
      const x = this.#names[k];
      const f: Fill = {
        orderId: x.orderId,
        clientId: x.clientId,
        symbol: x.symbol,
        side: x.side,
        qty: this.#qty[k],
        price: this.#price[k],
        fee: this.#fee[k],
        liquidity: x.liquidity,
        ts: this.#ts[k],
      };
      if (x.exitReason !== undefined) f.exitReason = x.exitReason;
      out.push(f);
    }
    return out;
  }
}
