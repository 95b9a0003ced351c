// Helpers for strategy tests: candles from closes, decision lookup, exit sanity checks.

import { levelsAt } from "../../src/risk/types.ts";
import assert from "node:assert/strict";
import type { BacktestResult } from "../../src/backtest/run.ts";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";

/** Start of the hand-made scenarios: 2024-01-01T00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);
/** One hour in ms. */
export const HOUR = 3_600_000;

/**
 * Hourly candles from closes: each opens at the previous close (the first at its own close),
 * high/low `wick` beyond open and close (default half a unit), volume 1.
 */
export function fromCloses(closes: number[], wick = 0.5, start = T0, stepMs = HOUR): CandleColumns {
  const c = allocColumns(closes.length);
  for (let i = 0; i < closes.length; i++) {
    const open = i === 0 ? closes[0] : closes[i - 1];
    c.ts[i] = start + i * stepMs;
    c.open[i] = open;
    c.close[i] = closes[i];
    c.high[i] = Math.max(open, closes[i]) + wick;
    c.low[i] = Math.min(open, closes[i]) - wick;
    c.volume[i] = 1;
  }
  return c;
}

/** Decisions as [candle index, signal side, outcome code], the index of the candle decided on. */
export function decided(
  r: BacktestResult,
  candles: CandleColumns,
  stepMs = HOUR,
): [number, string, string][] {
  return r.decisions.map((d) => [(d.ts - stepMs - candles.ts[0]) / stepMs, d.signal.side, d.code]);
}

/**
 * Checks every closed trade against the signal that opened it: a "tp" exit at or beyond the
 * signal's target, an "sl" exit at or beyond its stop (a gap can only make either worse or
 * better by the open), and the entry after the signal. Returns the count by exit reason.
 */
export function checkExits(r: BacktestResult): Record<string, number> {
  const opens = r.decisions.filter((d) =>
    d.outcome === "order" && (d.code === "open" || d.code === "flip")
  );
  const counts: Record<string, number> = {};
  for (const t of r.trades) {
    counts[t.exit_reason] = (counts[t.exit_reason] ?? 0) + 1;
    const d = opens.filter((o) => o.ts <= t.entry_ts).at(-1);
    assert.ok(d, `trade entered at ${new Date(t.entry_ts).toISOString()} has no opening decision`);
    assert.equal(d.signal.side, t.side, "trade side matches its signal");
    assert.ok(t.exit_ts >= t.entry_ts, "exit after entry");
    const dir = t.side === "long" ? 1 : -1;
    const eps = 1e-9 * t.entry_price;
    // levels in percent are measured from the entry's fill price
    const { sl, tp } = levelsAt(d.signal, t.side, t.entry_price);
    if (t.exit_reason === "tp") {
      assert.ok(tp !== undefined, "a tp exit needs a target");
      assert.ok((t.exit_price - tp) * dir >= -eps, `tp exit ${t.exit_price} vs target ${tp}`);
      assert.ok(t.exit_price * dir > t.entry_price * dir, "a tp exit is beyond the entry");
    }
    if (t.exit_reason === "sl") {
      assert.ok(sl !== undefined, "an sl exit needs a stop");
      assert.ok((t.exit_price - sl) * dir <= eps, `sl exit ${t.exit_price} vs stop ${sl}`);
    }
    if (d.signal.entry !== undefined) {
      // a limit entry fills at its price or better (at the open, when the open is beyond it)
      assert.ok(
        (t.entry_price - d.signal.entry) * dir <= eps,
        `limit ${d.signal.entry} filled at ${t.entry_price}`,
      );
    } else {assert.equal(
        t.entry_ts,
        d.ts,
        "a market entry fills at the open after the signal candle",
      );}
  }
  return counts;
}
