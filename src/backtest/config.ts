// What defines a backtest besides its candles: strategy, market, account and risk settings.

import type { FeeSchedule, MarketRules } from "../core/trading.ts";

/** Everything that defines a backtest besides the candles. Defaults in brackets. */
export interface BacktestConfig {
  strategy: string;
  /** Strategy parameters; missing ones take the strategy's defaults. */
  params?: Record<string, unknown>;
  /** Where the candles come from ["csv" for files, else the store's exchange name]. */
  exchange?: string;
  symbol: string;
  timeframe: string;
  /** Starting cash in quote currency [10000]. */
  cash?: number;
  /** Fee as a fraction of notional per fill, maker and taker alike [0.001]. */
  fee?: number;
  /** Separate maker/taker fees; overrides `fee`. */
  fees?: FeeSchedule;
  /** Slippage in basis points on market and stop fills [0]. */
  slippageBps?: number;
  /** "equity": a position worth `size` of equity; "risk": lose `size` of equity at the stop ["equity"]. */
  sizeMode?: "equity" | "risk";
  /** [1 in equity mode, 0.01 in risk mode] */
  size?: number;
  /** Quantity step orders are rounded down to [none]. */
  qtyStep?: number;
  /** Exchange rules (tick, step, minimums); `qtyStep` fills in the step when given. */
  rules?: Partial<MarketRules>;
  /** Leverage for every position [1]. */
  leverage?: number;
  /** Close a position still open at the end of data at the last close [false: report it open]. */
  closeAtEnd?: boolean;
  /** Extra risk settings (see src/risk/config.ts). */
  risk?: Record<string, unknown>;
  /** Funding per 8 h: a constant rate [none]. */
  fundingRate?: number;
  /**
   * Open time of the last candle that only warms up indicators [none]: decisions start after it,
   * as for a live bot that started then (the paper-vs-backtest parity report uses it).
   */
  warmupUntil?: number;
}
