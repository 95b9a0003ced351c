// What a backtest's metrics are: the fields computeMetrics fills and the CLI formats.

import type { ExitReason } from "../core/trading.ts";

/**
 * Results of a backtest. JSON-friendly: every number is finite; a metric that is undefined for
 * the run (no trades, no losses, too short) is `null`, never NaN or Infinity. Fractions are
 * plain (0.05 = 5 %), money is in quote currency.
 */
export interface Metrics {
  initial_equity: number;
  final_equity: number;
  /** final / initial - 1. */
  total_return: number;
  /** Compound annual growth over first bar open → last bar close (365-day years); null under 1 day. */
  cagr: number | null;
  /** Annualised mean / sample stdev of per-bar returns; null under 2 bars or with zero stdev. */
  sharpe: number | null;
  /** Annualised mean / downside deviation over all bars; null with no losing bar. */
  sortino: number | null;
  /** cagr / max_drawdown; null when either is null or zero drawdown. */
  calmar: number | null;
  /** Largest peak-to-trough fall as a positive fraction of the peak (0 when none). */
  max_drawdown: number;
  /** Longest time from a peak until equity first regains it (or the end of data), ms. */
  max_drawdown_duration_ms: number;
  /** exposureBars / bars; null with no bars. */
  exposure: number | null;
  trades: number;
  long_trades: number;
  short_trades: number;
  /** Wins / all trades (breakeven trades count in the denominator); null with no trades. */
  win_rate: number | null;
  /** Gross profit / gross loss; null with no losing trade. */
  profit_factor: number | null;
  /** Mean pnl per trade; null with no trades. */
  expectancy: number | null;
  /** Mean pnl of winning trades; null with none. */
  avg_win: number | null;
  /** Mean pnl of losing trades (negative); null with none. */
  avg_loss: number | null;
  best_trade: number | null;
  worst_trade: number | null;
  longest_win_streak: number;
  longest_loss_streak: number;
  /** Count of trades per exit reason; only reasons that occurred appear. */
  exits_by_reason: Partial<Record<ExitReason, number>>;
  fees: number;
  funding: number;
}
