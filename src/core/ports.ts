// The engine's ports: what differs between backtest, paper and live sits behind these.

import type { Candle, CandleColumns, SeriesKey } from "./candles.ts";
import type {
  ExitReason,
  Fill,
  OrderRequest,
  OrderSide,
  OrderType,
  PositionView,
  Refusal,
  Trade,
} from "./trading.ts";

/** The time source. Backtests use the candle clock; paper and live the wall clock. */
export interface Clock {
  now(): number;
}

/** An order resting at the broker, as others see it. */
export interface OrderView {
  id: string;
  clientId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** Remaining quantity (resolved; NaN while a price-dependent size awaits its fill). */
  qty: number;
  price?: number;
  stopPrice?: number;
  reduceOnly: boolean;
  createdTs: number;
  /** Set for the exits of a bracket: the id of the other leg (OCO). */
  ocoWith?: string;
}

/** An order the broker accepted but later cancelled at fill time, and why. */
export interface OrderRefusal extends Refusal {
  orderId: string;
  clientId: string;
  symbol: string;
  ts: number;
}

/** Accepted order. */
export interface Accepted {
  ok: true;
  orderId: string;
}

/**
 * Where orders go. SimBroker simulates fills from candles (backtest, paper); CcxtBroker sends them
 * to an exchange (live) and reports the exchange's fills through the same `onBar`.
 */
export interface Broker {
  /** Accepts an order (rounded to the market's rules) or refuses it with a reason. */
  submit(req: OrderRequest, ts: number): Accepted | Refusal;
  /** Cancels one order; false when it is no longer open. */
  cancel(orderId: string): boolean;
  /** Cancels every open order, of one symbol when given. */
  cancelAll(symbol?: string): void;
  /**
   * Advances one closed candle of `symbol` (the engine's base timeframe): fills resting orders
   * the candle reaches, in the documented order, charges funding, liquidates, and marks open
   * positions to the close. `lower` holds the lower-timeframe candles inside this one, when
   * available, to decide which of several touched orders filled first.
   */
  onBar(symbol: string, bar: Candle, lower?: CandleColumns): Fill[];
  /** Closes a position at `price` now (end of data, kill switch, manual), as a taker. */
  closePosition(symbol: string, price: number, ts: number, reason: ExitReason): Fill | undefined;
  position(symbol: string): PositionView | undefined;
  openOrders(symbol?: string): readonly OrderView[];
  /** Wallet balance plus unrealised P&L at the latest marks. */
  equity(): number;
  /** Wallet balance: cash after realised P&L, fees and funding. */
  balance(): number;
  /** Closed round trips so far, in closing order. */
  trades(): readonly Trade[];
  /** Fees and funding paid so far (funding received counts negative). */
  costs(): { fees: number; funding: number };
  /**
   * Orders refused after `submit` accepted them, since the previous call (each is handed out
   * once): cancelled at fill time (too small once sized, no margin), or, at a live broker, a send
   * that failed or that the exchange refused. The engine reports them after every candle.
   */
  takeRefusals(): readonly OrderRefusal[];
}

/** A time range in UTC ms: `from` inclusive, `to` exclusive; either may be left open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** What an upsert did. */
export interface UpsertResult {
  /** Candles written (new plus replaced). */
  written: number;
  /** Of those, candles that replaced a stored one with the same open time. */
  replaced: number;
}

/**
 * Stored candles of (exchange, symbol, timeframe) series, as the feeds and downloads use them
 * (DuckDB's CandleStore in the service; anything with these three methods in a test).
 */
export interface CandleRepository {
  /** Candles of a range as columns, ordered by open time. */
  read(key: SeriesKey, range?: TimeRange): Promise<CandleColumns>;
  /** Writes candles; one with an open time already stored replaces it. */
  upsert(key: SeriesKey, cols: CandleColumns): Promise<UpsertResult>;
  /** Oldest and newest stored open time and the count, or undefined when none. */
  bounds(key: SeriesKey): Promise<{ first: number; last: number; count: number } | undefined>;
}
