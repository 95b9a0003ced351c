// A Broker in front of another that holds new entries until a person confirms them.

import type { Candle, CandleColumns } from "../core/candles.ts";
import type {
  ExitReason,
  Fill,
  OrderRequest,
  PositionView,
  Refusal,
  Trade,
} from "../core/trading.ts";
import type { Accepted, Broker, OrderRefusal, OrderView } from "../core/ports.ts";

/** An entry waiting for confirmation. */
export interface HeldOrder {
  clientId: string;
  req: OrderRequest;
  /** Decision time (candle close) it was submitted at. */
  ts: number;
}

/** Why a held order left the queue without being sent. */
export type ReleaseReason = "rejected" | "expired" | "superseded";

/**
 * Holds every new entry (not reduce-only) while `required` is on, as a pending confirmation;
 * exits always pass straight through (a person must never be needed to get out). `confirm`
 * sends a held entry to the inner broker at that moment; `reject`/`expire` drop it. Held orders
 * show in `openOrders` (qty NaN), so the engine cancels or replaces them like resting entries.
 */
export class ConfirmingBroker implements Broker {
  required = false;
  readonly #held = new Map<string, HeldOrder>();
  readonly #onHold: (h: HeldOrder) => void;
  readonly #onRelease: (h: HeldOrder, why: ReleaseReason) => void;
  readonly #onSubmit: (req: OrderRequest, ts: number, res: Accepted | Refusal) => void;

  constructor(
    readonly inner: Broker,
    options: {
      /** Called when an entry is held. */
      onHold?: (h: HeldOrder) => void;
      /** Called when a held entry is dropped (the engine replaced it, or rejected/expired). */
      onRelease?: (h: HeldOrder, why: ReleaseReason) => void;
      /** Called for every order that reached the inner broker, with its answer. */
      onSubmit?: (req: OrderRequest, ts: number, res: Accepted | Refusal) => void;
    } = {},
  ) {
    this.#onHold = options.onHold ?? (() => {});
    this.#onRelease = options.onRelease ?? (() => {});
    this.#onSubmit = options.onSubmit ?? (() => {});
  }

  #send(req: OrderRequest, ts: number): Accepted | Refusal {
    const res = this.inner.submit(req, ts);
    this.#onSubmit(req, ts, res);
    return res;
  }

  /** Entries waiting, oldest first. */
  held(): HeldOrder[] {
    return [...this.#held.values()];
  }

  submit(req: OrderRequest, ts: number): Accepted | Refusal {
    if (!this.required || req.reduceOnly) return this.#send(req, ts);
    const h = { clientId: req.clientId, req, ts };
    this.#held.set(req.clientId, h);
    this.#onHold(h);
    return { ok: true, orderId: heldId(req.clientId) };
  }

  /**
   * Holds `h` again without announcing it (its pending confirmation is stored already): a live
   * bot restarted while an entry waited for confirmation.
   */
  restore(h: HeldOrder): void {
    this.#held.set(h.clientId, h);
  }

  /** Sends a held entry now; undefined when it is no longer held. */
  confirm(clientId: string, ts: number): Accepted | Refusal | undefined {
    const h = this.#held.get(clientId);
    if (!h) return undefined;
    this.#held.delete(clientId);
    return this.#send(h.req, ts);
  }

  /** Drops a held entry; false when it is no longer held. */
  release(clientId: string, why: ReleaseReason): boolean {
    const h = this.#held.get(clientId);
    if (!h) return false;
    this.#held.delete(clientId);
    this.#onRelease(h, why);
    return true;
  }

  cancel(orderId: string): boolean {
    if (orderId.startsWith(HELD)) return this.release(orderId.slice(HELD.length), "superseded");
    return this.inner.cancel(orderId);
  }

  cancelAll(symbol?: string): void {
    for (const h of this.held()) {
      if (symbol === undefined || h.req.symbol === symbol) this.release(h.clientId, "superseded");
    }
    this.inner.cancelAll(symbol);
  }

  onBar(symbol: string, bar: Candle, lower?: CandleColumns): Fill[] {
    return this.inner.onBar(symbol, bar, lower);
  }

  closePosition(symbol: string, price: number, ts: number, reason: ExitReason): Fill | undefined {
    return this.inner.closePosition(symbol, price, ts, reason);
  }

  position(symbol: string): PositionView | undefined {
    return this.inner.position(symbol);
  }

  openOrders(symbol?: string): readonly OrderView[] {
    const inner = this.inner.openOrders(symbol);
    if (this.#held.size === 0) return inner;
    const held: OrderView[] = this.held()
      .filter((h) => symbol === undefined || h.req.symbol === symbol)
      .map((h) => ({
        id: heldId(h.clientId),
        clientId: h.clientId,
        symbol: h.req.symbol,
        side: h.req.side,
        type: h.req.type,
        qty: h.req.size.kind === "qty" ? h.req.size.qty : NaN,
        price: h.req.price,
        stopPrice: h.req.stopPrice,
        reduceOnly: false,
        createdTs: h.ts,
      }));
    return [...inner, ...held];
  }

  equity(): number {
    return this.inner.equity();
  }

  balance(): number {
    return this.inner.balance();
  }

  trades(): readonly Trade[] {
    return this.inner.trades();
  }

  costs(): { fees: number; funding: number } {
    return this.inner.costs();
  }

  takeRefusals(): readonly OrderRefusal[] {
    return this.inner.takeRefusals();
  }
}

const HELD = "held:";

function heldId(clientId: string): string {
  return HELD + clientId;
}
