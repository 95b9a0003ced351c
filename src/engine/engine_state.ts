// The engine's own state between candles: the day and account book, and the candle slot.

import type { Candle } from "../core/candles.ts";

/** Mutable state of the day and the account that risk rules read. */
export interface Book {
  /** Equity after the latest candle. */
  equity: number;
  peak: number;
  day: number;
  /** Open times of `day`: from `dayFrom` (included) to `dayTo` (excluded). */
  dayFrom: number;
  dayTo: number;
  dayStart: number;
  tradesToday: number;
  /** The latest losing exit (the risk context's `lastLoss`, shared until the next one). */
  lastLoss?: { ts: number };
  seenTrades: number;
  seenRefusals: number;
  killSwitch: boolean;
}

/** One UTC day in ms. */
export const DAY = 86_400_000;

/**
 * The candle passed to `broker.onBar`, one object rewritten for every candle. A class with
 * fields that start as doubles: written 6 times a candle, its fields measured several times
 * faster than those of an object literal (V8 keeps them as in-place doubles).
 */
export class CandleSlot implements Candle {
  ts = NaN;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = NaN;
}
