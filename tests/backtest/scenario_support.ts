// A hand-made candle scenario for sma_cross(2, 3) with the expected trade written out.

import { toColumns } from "../../src/core/candles.ts";
import { k } from "../support.ts";

/** Closes chosen so that SMA(2) crosses above SMA(3) on candle 4 and below it on candle 7. */
export const CLOSES = [10, 10, 10, 9, 12, 13, 13, 8, 7, 7];
/** Candle open times: one minute apart from 2024-01-01. */
export const T0 = Date.UTC(2024, 0, 1);
export const MIN = 60_000;

/**
 * The candles: each opens at the previous close (10 for the first), with a 0.5 wick each side.
 * SMA(2): 10, 10, 9.5, 10.5, 12.5, 13, 10.5, 7.5, 7 (from candle 1);
 * SMA(3): 10, 9.67, 10.33, 11.33, 12.67, 11.33, 9.33, 7.33 (from candle 2).
 * Candle 3: 9.5 < 9.67; candle 4: 10.5 > 10.33 → long, filled at candle 5's open (12).
 * Candle 6: 13 > 12.67; candle 7: 10.5 < 11.33 → exit, filled at candle 8's open (8).
 */
export function scenario(closes = CLOSES) {
  return toColumns(closes.map((c, i) => {
    const o = i === 0 ? 10 : closes[i - 1];
    return k(T0 + i * MIN, o, Math.max(o, c) + 0.5, Math.min(o, c) - 0.5, c, 100);
  }));
}

/** With fee 0.001, equity sizing 1 and qty step 0.1: qty = floor(10000 / (12 * 1.001), 0.1). */
export const EXPECTED_TRADE = {
  symbol: "SYN/USDT",
  side: "long",
  entry_ts: T0 + 5 * MIN,
  exit_ts: T0 + 8 * MIN,
  qty: 832.5,
  entry_price: 12,
  exit_price: 8,
  fees: 832.5 * 12 * 0.001 + 832.5 * 8 * 0.001, // 9.99 + 6.66
  funding: 0,
  pnl: 832.5 * (8 - 12) - (832.5 * 12 * 0.001 + 832.5 * 8 * 0.001), // -3346.65
  exit_reason: "signal",
};
