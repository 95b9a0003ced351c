// Backtest metrics: returns, risk ratios, drawdowns and trade statistics from an equity curve.

import { InputError } from "../core/errors.ts";
import { EXIT_REASONS, type ExitReason, type Trade } from "../core/trading.ts";
import type { Metrics } from "./metrics_types.ts";

export type { Metrics } from "./metrics_types.ts";

/** Milliseconds in a day; years are 365 days (crypto trades every day). */
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/** What {@link computeMetrics} needs: the bar equity curve, the closed trades and the totals. */
export interface MetricsInput {
  /** Equity marked at each bar close (quote). */
  equity: Float64Array;
  /** Bar open times, UTC ms, strictly increasing, same length as `equity`. */
  ts: Float64Array;
  /** Length of one bar in ms. */
  timeframeMs: number;
  /** Closed trades, in the order they closed. */
  trades: readonly Trade[];
  /** Equity before the first bar opened (quote, > 0). */
  initialEquity: number;
  /** Total fees paid over the run (quote, passed through). */
  fees: number;
  /** Total funding over the run (quote, passed through; positive = paid). */
  funding: number;
  /** Number of bars with an open position. */
  exposureBars: number;
}

/** Bars per 365-day year for a bar length. */
function periodsPerYear(timeframeMs: number): number {
  return YEAR_MS / timeframeMs;
}

/** `x` when finite, else null (keeps NaN and Infinity out of the output). */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function checkInput(input: MetricsInput): void {
  const { equity, ts, timeframeMs, initialEquity, fees, funding, exposureBars } = input;
  const bad = (why: string) => {
    throw new InputError(`Cannot compute metrics: ${why}.`);
  };
  if (!(Number.isFinite(timeframeMs) && timeframeMs > 0)) {
    bad(`timeframeMs must be a positive number, got ${timeframeMs}`);
  }
  if (!(Number.isFinite(initialEquity) && initialEquity > 0)) {
    bad(`initialEquity must be a positive number, got ${initialEquity}`);
  }
  if (equity.length !== ts.length) {
    bad(`equity has ${equity.length} values but ts has ${ts.length}`);
  }
  if (!Number.isFinite(fees)) bad(`fees must be a finite number, got ${fees}`);
  if (!Number.isFinite(funding)) bad(`funding must be a finite number, got ${funding}`);
  if (!(Number.isFinite(exposureBars) && exposureBars >= 0 && exposureBars <= equity.length)) {
    bad(`exposureBars must be between 0 and ${equity.length} (the bars), got ${exposureBars}`);
  }
}

/** Equity-curve figures, from one pass over the bars. */
interface CurveStats {
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownDurationMs: number;
}

function curveStats(
  equity: Float64Array,
  ts: Float64Array,
  tf: number,
  initialEquity: number,
): CurveStats {
  const n = equity.length;
  let mean = 0; // Welford running mean and sum of squared deviations of per-bar returns
  let m2 = 0;
  let down2 = 0; // sum of min(r, 0)^2
  let prev = initialEquity;
  let peak = initialEquity;
  let peakT = n > 0 ? ts[0] : 0; // initial equity is marked at the first bar's open
  let under = false;
  let maxDd = 0;
  let maxDur = 0;
  let prevT = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    const t0 = ts[i];
    if (!Number.isFinite(e)) {
      throw new InputError(`Cannot compute metrics: equity[${i}] is ${e}, not a finite number.`);
    }
    if (!(t0 > prevT) || !Number.isFinite(t0)) {
      throw new InputError(
        `Cannot compute metrics: ts[${i}] = ${t0} is not after ts[${i - 1}] = ${prevT}.`,
      );
    }
    prevT = t0;
    const r = prev > 0 ? e / prev - 1 : 0; // a wiped-out account has nothing left to return
    prev = e;
    const d = r - mean;
    mean += d / (i + 1);
    m2 += d * (r - mean);
    if (r < 0) down2 += r * r;
    const t = t0 + tf; // this bar's equity is marked at its close
    if (e >= peak) {
      if (under) {
        if (t - peakT > maxDur) maxDur = t - peakT;
        under = false;
      }
      peak = e;
      peakT = t;
    } else {
      under = true;
      const dd = (peak - e) / peak;
      if (dd > maxDd) maxDd = dd;
    }
  }
  if (under) {
    const end = ts[n - 1] + tf;
    if (end - peakT > maxDur) maxDur = end - peakT;
  }
  const scale = Math.sqrt(periodsPerYear(tf));
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const dd = n > 0 ? Math.sqrt(down2 / n) : 0;
  return {
    sharpe: sd > 0 ? finiteOrNull((mean / sd) * scale) : null,
    sortino: dd > 0 ? finiteOrNull((mean / dd) * scale) : null,
    maxDrawdown: maxDd,
    maxDrawdownDurationMs: maxDur,
  };
}

/** Trade statistics, from one pass over the trades. */
type TradeStats = Pick<
  Metrics,
  | "trades"
  | "long_trades"
  | "short_trades"
  | "win_rate"
  | "profit_factor"
  | "expectancy"
  | "avg_win"
  | "avg_loss"
  | "best_trade"
  | "worst_trade"
  | "longest_win_streak"
  | "longest_loss_streak"
  | "exits_by_reason"
>;

function tradeStats(trades: readonly Trade[]): TradeStats {
  let longs = 0, wins = 0, losses = 0, grossProfit = 0, grossLoss = 0, sum = 0;
  let best = -Infinity, worst = Infinity;
  let winRun = 0, lossRun = 0, maxWinRun = 0, maxLossRun = 0;
  const counts = new Map<string, number>();
  for (let i = 0; i < trades.length; i++) {
    const { pnl, side, exit_reason } = trades[i];
    if (!Number.isFinite(pnl)) {
      throw new InputError(`Cannot compute metrics: trades[${i}].pnl is ${pnl}.`);
    }
    if (side === "long") longs++;
    counts.set(exit_reason, (counts.get(exit_reason) ?? 0) + 1);
    sum += pnl;
    if (pnl > best) best = pnl;
    if (pnl < worst) worst = pnl;
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
      lossRun = 0;
      if (++winRun > maxWinRun) maxWinRun = winRun;
    } else if (pnl < 0) {
      losses++;
      grossLoss -= pnl;
      winRun = 0;
      if (++lossRun > maxLossRun) maxLossRun = lossRun;
    } else {
      winRun = 0; // breakeven: neither a win nor a loss, and it ends both streaks
      lossRun = 0;
    }
  }
  const n = trades.length;
  const exits: Partial<Record<ExitReason, number>> = {};
  for (const r of EXIT_REASONS) if (counts.has(r)) exits[r] = counts.get(r);
  for (const [r, c] of counts) if (!(r in exits)) exits[r as ExitReason] = c;
  return {
    trades: n,
    long_trades: longs,
    short_trades: n - longs,
    win_rate: n > 0 ? wins / n : null,
    profit_factor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: n > 0 ? sum / n : null,
    avg_win: wins > 0 ? grossProfit / wins : null,
    avg_loss: losses > 0 ? -grossLoss / losses : null,
    best_trade: n > 0 ? best : null,
    worst_trade: n > 0 ? worst : null,
    longest_win_streak: maxWinRun,
    longest_loss_streak: maxLossRun,
    exits_by_reason: exits,
  };
}

/**
 * Computes backtest metrics in one pass over the equity curve and one over the trades.
 * Per-bar returns start from `initialEquity` (bar 0's return is equity[0] / initialEquity - 1),
 * so n bars give n returns; drawdowns likewise start with `initialEquity` as the first peak.
 * Throws InputError on mismatched lengths, non-finite values or unordered times.
 *
 * @example
 * ```ts
 * const m = computeMetrics({
 *   equity: new Float64Array([1010, 990, 1030]),
 *   ts: new Float64Array([0, 86_400_000, 172_800_000]),
 *   timeframeMs: 86_400_000,
 *   trades: [],
 *   initialEquity: 1000,
 *   fees: 0,
 *   funding: 0,
 *   exposureBars: 3,
 * });
 * m.total_return; // ≈ 0.03 (1030 / 1000 - 1)
 * ```
 */
export function computeMetrics(input: MetricsInput): Metrics {
  checkInput(input);
  const { equity, ts, timeframeMs: tf, initialEquity } = input;
  const n = equity.length;
  const curve = curveStats(equity, ts, tf, initialEquity);
  const finalEquity = n > 0 ? equity[n - 1] : initialEquity;
  const totalReturn = finalEquity / initialEquity - 1;
  const spanMs = n > 0 ? ts[n - 1] + tf - ts[0] : 0;
  let cagr: number | null = null;
  if (spanMs >= DAY_MS) {
    cagr = finalEquity <= 0
      ? -1
      : finiteOrNull((finalEquity / initialEquity) ** (YEAR_MS / spanMs) - 1);
  }
  return {
    initial_equity: initialEquity,
    final_equity: finalEquity,
    total_return: totalReturn,
    cagr,
    sharpe: curve.sharpe,
    sortino: curve.sortino,
    calmar: cagr !== null && curve.maxDrawdown > 0 ? finiteOrNull(cagr / curve.maxDrawdown) : null,
    max_drawdown: curve.maxDrawdown,
    max_drawdown_duration_ms: curve.maxDrawdownDurationMs,
    exposure: n > 0 ? input.exposureBars / n : null,
    ...tradeStats(input.trades),
    fees: input.fees,
    funding: input.funding,
  };
}

export { formatDuration, formatMetrics } from "./metrics_format.ts";
