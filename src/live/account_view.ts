// What a live broker's account shows: positions, open orders, equity, trades, costs, refusals and
// fills, all read from its local book (CcxtBroker extends it with the order lifecycle).

import type { Fill, PositionView, Trade } from "../core/trading.ts";
import type { OrderRefusal, OrderView } from "../core/ports.ts";
import { type LiveBook, liveOrderView, livePositionView } from "./orders.ts";

/** The read side of the Broker port over a {@link LiveBook}. */
export class LiveAccountView {
  /** The book it reads (the broker books fills and orders into it). */
  constructor(protected readonly book: LiveBook) {}

  /** The open position in `symbol` with its live exits' levels, or undefined. */
  position(symbol: string): PositionView | undefined {
    return livePositionView(this.book, symbol);
  }

  /** Orders accepted and not finished (of one symbol when given), oldest first. */
  openOrders(symbol?: string): readonly OrderView[] {
    return this.book.active(symbol).filter((o) => !o.cancelWanted).map(liveOrderView);
  }

  /** Ledger balance plus unrealised P&L at the latest marks. */
  equity(): number {
    return this.book.pf.equity();
  }

  /** Ledger balance: starting cash (plus adopted positions at cost) after realised P&L and fees. */
  balance(): number {
    return this.book.pf.balance;
  }

  /** Closed round trips booked by this broker, in closing order. */
  trades(): readonly Trade[] {
    return this.book.pf.trades;
  }

  /** Number of closed round trips booked by this broker. */
  tradeCount(): number {
    return this.book.pf.tradeCount;
  }

  /** Exit time of the latest losing trade from index `from` on; NaN when none. */
  lastLossSince(from: number): number {
    return this.book.pf.lastLossSince(from);
  }

  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number } {
    return this.book.pf.costs();
  }

  /** Orders refused after acceptance (by the exchange, or unsent), in order. */
  refusals(): readonly OrderRefusal[] {
    return this.book.refusals;
  }

  /** Every fill booked so far, in order. */
  fills(): readonly Fill[] {
    return this.book.fills;
  }
}
