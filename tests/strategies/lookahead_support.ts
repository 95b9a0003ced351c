// Look-ahead check for strategies: changing candles after t must not change anything decided by t.

import assert from "node:assert/strict";
import { backtest, type BacktestConfig, type BacktestResult } from "../../src/backtest/run.ts";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";
import { createRng } from "../../src/data/rng.ts";

/**
 * A copy of `candles` where every candle after index `t` is scaled by its own seeded factor in
 * [0.9, 1.1] (open, high, low and close alike, so each candle stays consistent) and its volume
 * by another in [0.25, 4]. Candles 0..t are untouched; timestamps never change.
 */
export function perturbAfter(candles: CandleColumns, t: number, seed = 1): CandleColumns {
  const n = candles.ts.length;
  const out = allocColumns(n);
  for (const key of ["ts", "open", "high", "low", "close", "volume"] as const) {
    out[key].set(candles[key]);
  }
  const rng = createRng(`lookahead-${seed}-${t}`);
  for (let i = t + 1; i < n; i++) {
    const f = 0.9 + 0.2 * rng.next();
    out.open[i] *= f;
    out.high[i] *= f;
    out.low[i] *= f;
    out.close[i] *= f;
    out.volume[i] *= Math.pow(4, 2 * rng.next() - 1);
  }
  return out;
}

/** Decisions as plain data (some fields are getters), for exact comparison. */
function plain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

/**
 * Candle indices worth cutting at: the first decision and every tenth of them (10 %, ... 90 %),
 * each just before a decision's candle (so that candle is changed) and at it (the next one is).
 * Only cuts with at least one decision made by then.
 */
export function cutPoints(result: BacktestResult, candles: CandleColumns): number[] {
  const tf = timeframeMs(result.timeframe);
  const d = result.decisions;
  const candleOf = (ts: number) => Math.round((ts - tf - candles.ts[0]) / tf);
  const first = candleOf(d[0].ts);
  const out = new Set<number>();
  for (let q = 0; q < 0.95; q += 0.1) {
    const i = candleOf(d[Math.min(d.length - 1, Math.floor(q * d.length))].ts);
    if (i - 1 >= first) out.add(i - 1);
    out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Backtests `candles`, then, for each cut index t (default {@link cutPoints}), a copy changed
 * after t: every decision made by the close of candle t, every trade closed before it and the
 * equity curve through candle t must be identical. Also checks that the comparison is not
 * vacuous: there are decisions before each cut, and the changed candles did change the run.
 * Returns the base result.
 */
export async function assertNoLookahead(
  config: BacktestConfig,
  candles: CandleColumns,
  cuts?: number[],
): Promise<BacktestResult> {
  const base = await backtest(config, candles);
  assert.ok(base.decisions.length >= 2, `${config.strategy}: too few decisions to test look-ahead`);
  const tf = timeframeMs(config.timeframe);
  for (const t of cuts ?? cutPoints(base, candles)) {
    const changed = await backtest(config, perturbAfter(candles, t));
    const closeT = candles.ts[t] + tf;
    const label = `${config.strategy} cut after candle ${t} (${new Date(closeT).toISOString()})`;
    const before = (r: BacktestResult) => plain(r.decisions.filter((d) => d.ts <= closeT));
    const a = before(base);
    assert.ok(a.length > 0, `${label}: no decisions before the cut`);
    assert.deepStrictEqual(before(changed), a, `${label}: decisions differ`);
    const closed = (r: BacktestResult) => r.trades.filter((x) => x.exit_ts < closeT);
    assert.deepStrictEqual(closed(changed), closed(base), `${label}: trades differ`);
    assert.deepStrictEqual(
      changed.equity_curve.equity.slice(0, t + 1),
      base.equity_curve.equity.slice(0, t + 1),
      `${label}: equity differs`,
    );
    assert.notDeepStrictEqual(
      plain([changed.decisions, changed.trades, changed.equity_curve]),
      plain([base.decisions, base.trades, base.equity_curve]),
      `${label}: changing the later candles changed nothing, so the check proves nothing`,
    );
  }
  return base;
}
