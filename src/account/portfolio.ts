// The simulated account: wallet balance, one net isolated-margin position per symbol, margin,
// funding and the realised round trips (with entry fees and funding allocated pro rata).

import type { ExitReason, PositionSide, Trade } from "../core/trading.ts";
import { removeFrom } from "./arrays.ts";
import { type TradeBook, TradeLog } from "./trade_log.ts";

/** An open position, with the entry fees and funding not yet allocated to a closed trade. */
export interface Position {
  readonly symbol: string;
  side: PositionSide;
  qty: number;
  /** Average entry price. */
  entryPrice: number;
  /** Time of the first fill that opened it. */
  entryTs: number;
  leverage: number;
  /** NaN when never liquidated (a 1x long). */
  liquidationPrice: number;
  /** Latest mark (the close of the last bar, or the entry price before one). */
  mark: number;
  /** Entry fees not yet allocated to a closed trade. */
  entryFees: number;
  /** Funding paid (negative: received) not yet allocated to a closed trade. */
  funding: number;
}

/** A remainder below this fraction of the position counts as closed (float dust). */
const DUST = 1e-9;

/** Unrealised P&L of `p` at `price`. */
export function unrealisedPnl(p: Position, price: number): number {
  return (price - p.entryPrice) * p.qty * (p.side === "long" ? 1 : -1);
}

/**
 * The wallet and positions. The balance changes by realised P&L, fees and funding only;
 * equity adds unrealised P&L at each position's mark. Margin is isolated: each position ties
 * up `qty * entryPrice / leverage`, and `available()` is the balance minus all of it.
 */
export class Portfolio {
  #balance: number;
  #fees = 0;
  #funding = 0;
  /**
   * Open positions by symbol. A closed position leaves `undefined` in its slot rather than being
   * deleted: positions open and close all the time, and deleting made the map rehash.
   */
  readonly #positions = new Map<string, Position | undefined>();
  /** The symbol looked up last, and its position: one symbol is looked up several times a candle. */
  #lastSymbol: string | undefined;
  #lastPosition: Position | undefined;
  readonly #open: Position[] = [];
  readonly #trades: TradeBook;

  /**
   * A wallet holding `cash` (quote currency); `mmr` is the maintenance margin rate. Closed trades
   * go to `trades` (default: a TradeLog of its own).
   */
  constructor(cash: number, readonly mmr: number, trades: TradeBook = new TradeLog()) {
    this.#balance = cash;
    this.#trades = trades;
  }

  /** Wallet balance: cash after realised P&L, fees and funding. */
  get balance(): number {
    return this.#balance;
  }

  /** The open position in `symbol`, if any (live object: do not change it). */
  position(symbol: string): Position | undefined {
    if (symbol !== this.#lastSymbol) {
      this.#lastSymbol = symbol;
      this.#lastPosition = this.#positions.get(symbol);
    }
    return this.#lastPosition;
  }

  /** Records the position of `symbol` (undefined: closed). */
  #setPosition(symbol: string, p: Position | undefined): void {
    this.#positions.set(symbol, p);
    this.#lastSymbol = symbol;
    this.#lastPosition = p;
  }

  /** Open positions in opening order. */
  get openPositions(): readonly Position[] {
    return this.#open;
  }

  /** Initial margin tied up by open positions. */
  usedMargin(): number {
    let m = 0;
    for (let i = 0; i < this.#open.length; i++) {
      const p = this.#open[i];
      m += p.qty * p.entryPrice / p.leverage;
    }
    return m;
  }

  /** Balance minus used margin: what a new position's margin and fee can come from. */
  available(): number {
    return this.#balance - this.usedMargin();
  }

  /**
   * What `available()` would be after closing `qty` of `p` at `price` with `fee`: the margin is
   * released and the P&L realised.
   */
  availableAfterClose(p: Position, qty: number, price: number, fee: number): number {
    const share = qty / p.qty;
    const released = qty * p.entryPrice / p.leverage;
    return this.available() + released + unrealisedPnl(p, price) * share - fee;
  }

  /** Balance plus unrealised P&L of every position at its mark. */
  equity(): number {
    // The engine asks for equity after every candle. `* 1` (the same number, -0 and NaN
    // included) makes the sum start as a raw double: started from the field as loaded, the
    // optimised loop kept it boxed and allocated a heap number per candle with a position open.
    let e = this.#balance * 1;
    for (let i = 0; i < this.#open.length; i++) {
      e += unrealisedPnl(this.#open[i], this.#open[i].mark);
    }
    return e;
  }

  /**
   * Opens a new position or adds to one on the same side (average entry price; the position
   * keeps its leverage and first entry time). Charges `fee` (quote currency). Arguments rather
   * than an object: every fill calls it, and the object with its boxed doubles was garbage.
   */
  open(
    symbol: string,
    side: PositionSide,
    qty: number,
    price: number,
    fee: number,
    ts: number,
    leverage: number,
  ): Position {
    this.#balance -= fee;
    this.#fees += fee;
    let p = this.position(symbol);
    if (p === undefined) {
      p = {
        symbol,
        side,
        qty,
        entryPrice: price,
        entryTs: ts,
        leverage,
        liquidationPrice: liquidationPrice(side, price, leverage, this.mmr),
        mark: price,
        entryFees: fee,
        funding: 0,
      };
      this.#setPosition(symbol, p);
      this.#open.push(p);
      return p;
    }
    if (p.side !== side) throw new Error(`open ${side} on a ${p.side} ${symbol}: reduce first`);
    p.entryPrice = (p.entryPrice * p.qty + price * qty) / (p.qty + qty);
    p.qty += qty;
    p.entryFees += fee;
    p.liquidationPrice = liquidationPrice(side, p.entryPrice, p.leverage, this.mmr);
    return p;
  }

  /**
   * Closes `qty` (at most the whole) of `p` at `price`, charging `fee`; records the Trade
   * for the closed part, with its pro-rata share of entry fees and funding.
   */
  reduce(
    p: Position,
    qty: number,
    price: number,
    fee: number,
    ts: number,
    reason: ExitReason,
  ): void {
    const whole = qty >= p.qty * (1 - DUST);
    const share = whole ? 1 : qty / p.qty;
    const entryFee = p.entryFees * share;
    const funding = p.funding * share;
    const gross = unrealisedPnl(p, price) * share;
    this.#balance += gross - fee;
    this.#fees += fee;
    this.#trades.trade({
      symbol: p.symbol,
      side: p.side,
      entry_ts: p.entryTs,
      exit_ts: ts,
      qty: whole ? p.qty : qty,
      entry_price: p.entryPrice,
      exit_price: price,
      fees: entryFee + fee,
      funding,
      pnl: gross - entryFee - fee - funding,
      exit_reason: reason,
    });
    if (whole) {
      this.#setPosition(p.symbol, undefined);
      removeFrom(this.#open, p);
      p.qty = 0;
    } else {
      p.qty -= qty;
      p.entryFees -= entryFee;
      p.funding -= funding;
    }
  }

  /**
   * Settles funding on `p` at `price` with the per-8h `rate`: a long pays `qty * price * rate`
   * (receives when negative), a short the reverse. Returns what was paid.
   */
  fund(p: Position, price: number, rate: number): number {
    const paid = p.qty * price * rate * (p.side === "long" ? 1 : -1);
    this.#balance -= paid;
    this.#funding += paid;
    p.funding += paid;
    return paid;
  }

  /**
   * Books a funding payment the exchange settled (live): `amount` paid (negative: received)
   * comes off the balance and counts in `costs()`; with `p` it is also `p`'s funding, allocated
   * to its trade at close (without: the position had closed before the payment was known).
   */
  payFunding(p: Position | undefined, amount: number): void {
    this.#balance -= amount;
    this.#funding += amount;
    if (p !== undefined) p.funding += amount;
  }

  /** Closed round trips in closing order (see TradeBook). */
  get trades(): readonly Trade[] {
    return this.#trades.trades();
  }

  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number } {
    return { fees: this.#fees, funding: this.#funding };
  }
}

/**
 * Isolated-margin liquidation price: long `entry * (1 - 1/lev + mmr)`, short
 * `entry * (1 + 1/lev - mmr)`. A long at leverage 1 (spot-like) is never liquidated: NaN.
 *
 * @example
 * ```ts
 * liquidationPrice("long", 100, 10, 0.005); // 90.5
 * liquidationPrice("short", 100, 10, 0.005); // 109.5
 * ```
 */
export function liquidationPrice(
  side: PositionSide,
  entry: number,
  leverage: number,
  maintenanceMarginRate: number,
): number {
  if (side === "long") {
    return leverage <= 1 ? NaN : entry * (1 - 1 / leverage + maintenanceMarginRate);
  }
  return entry * (1 + 1 / leverage - maintenanceMarginRate);
}
