// Candlestick patterns from technicalindicators as 0/1 flags per candle, with no look-ahead.

import {
  averagegain,
  averageloss,
  bearishengulfingpattern,
  bearishhammerstick,
  bearishinvertedhammerstick,
  bullishengulfingpattern,
  bullishhammerstick,
  bullishinvertedhammerstick,
  doji as tiDoji,
} from "technicalindicators";
import type { CandleColumns } from "../core/candles.ts";
import { checkLengths } from "./common.ts";

/*
 * Each flag at candle t is technicalindicators' pattern test on the window of candles ENDING at
 * t (its `hasPattern` on exactly `requiredCount` candles), so it never looks ahead. (Its own
 * `getAllPatternIndex` is unusable here: it reports the window START and drops index 0.)
 * Shapes are technicalindicators' definitions, which compare prices with `approximateEqual`
 * (|a - b| <= 0.1% of a, each side rounded to 4 significant digits). That tolerance is relative
 * to the PRICE, not to the candle's range, so on low timeframes it is loose: on synthetic BTC 1m
 * candles ~70% are dojis and ~30% hammers (1h: ~11% and ~10%). Batch only.
 */

/** Open, high, low and close columns. */
export type OhlcColumns = Pick<CandleColumns, "open" | "high" | "low" | "close">;

/** The OHLC window that technicalindicators' pattern functions take. */
interface Window {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

function window(cols: OhlcColumns, end: number, size: number): Window {
  const from = end - size + 1;
  return {
    open: Array.from(cols.open.subarray(from, end + 1)),
    high: Array.from(cols.high.subarray(from, end + 1)),
    low: Array.from(cols.low.subarray(from, end + 1)),
    close: Array.from(cols.close.subarray(from, end + 1)),
  };
}

/** Flags each candle t >= size - 1 where `test` holds on the window of `size` ending at t. */
function flags(
  name: string,
  cols: OhlcColumns,
  size: number,
  test: (w: Window) => boolean,
): Uint8Array {
  const n = checkLengths(name, cols.open, cols.high, cols.low, cols.close);
  const out = new Uint8Array(n);
  for (let t = size - 1; t < n; t++) out[t] = test(window(cols, t, size)) ? 1 : 0;
  return out;
}

/**
 * Bullish engulfing (2 candles): a bearish candle, then one opening below its close and
 * closing above its open. 1 on the second candle. The open must be STRICTLY beyond the first
 * close, so on gapless 24/7 data (open = previous close) it fires only after a gap.
 *
 * @example
 * ```ts
 * const hits = bullishEngulfing(candles); // Uint8Array of 0/1
 * ```
 */
export function bullishEngulfing(cols: OhlcColumns): Uint8Array {
  return flags("bullishEngulfing", cols, 2, (w) => bullishengulfingpattern(w) === true);
}

/**
 * Bearish engulfing (2 candles): a bullish candle, then one opening above its close and
 * closing below its open. 1 on the second candle. Like {@link bullishEngulfing}, it needs a gap.
 *
 * @example
 * ```ts
 * const hits = bearishEngulfing(candles);
 * ```
 */
export function bearishEngulfing(cols: OhlcColumns): Uint8Array {
  return flags("bearishEngulfing", cols, 2, (w) => bearishengulfingpattern(w) === true);
}

/**
 * Doji (1 candle), technicalindicators' definition: open ~ close, and either both high ~ open
 * and low ~ close or neither (so dragonfly/gravestone-like candles are excluded).
 *
 * @example
 * ```ts
 * const hits = doji(candles);
 * ```
 */
export function doji(cols: OhlcColumns): Uint8Array {
  return flags("doji", cols, 1, (w) => tiDoji(w) === true);
}

/** Any of technicalindicators' four hammer sticks (bullish/bearish, plain/inverted). */
function isHammerStick(w: Window, at: number): boolean {
  const one = {
    open: [w.open[at]],
    high: [w.high[at]],
    low: [w.low[at]],
    close: [w.close[at]],
  };
  return bearishhammerstick(one) === true || bearishinvertedhammerstick(one) === true ||
    bullishhammerstick(one) === true || bullishinvertedhammerstick(one) === true;
}

/**
 * Down-trend test of technicalindicators' hammer patterns over `closes`: Wilder average loss >
 * average gain over all the changes. DIFFERENCE: technicalindicators compares the two
 * one-element ARRAYS that averageloss/averagegain return, which JavaScript does as strings
 * ("12.5" > "5" is false); we compare the numbers.
 */
export function isDownTrend(closes: number[]): boolean {
  const period = closes.length - 1;
  const gain = averagegain({ values: closes, period })[0];
  const loss = averageloss({ values: closes, period })[0];
  return loss > gain;
}

/**
 * Hammer, unconfirmed (5 candles, technicalindicators' hammerpatternunconfirmed with the
 * down-trend bug fixed — see {@link isDownTrend}): closes t-4..t-1 trend down and candle t is a
 * hammer stick (any of its bullish/bearish, plain/inverted sticks). 1 on the hammer candle.
 * Its sticks are loose: open or close within 0.1% of the high (low for inverted) and the body at
 * most twice the long shadow (the textbook asks for a shadow at least twice the body).
 *
 * @example
 * ```ts
 * const hits = hammer(candles);
 * ```
 */
export function hammer(cols: OhlcColumns): Uint8Array {
  return flags("hammer", cols, 5, (w) => isDownTrend(w.close.slice(0, 4)) && isHammerStick(w, 4));
}

/**
 * Hammer, confirmed (5 candles, technicalindicators' hammerpattern with the down-trend bug
 * fixed): closes t-4..t-2 trend down, candle t-1 is a hammer stick, and candle t is bullish and
 * closes above the hammer's close. 1 on the CONFIRMING candle t (the earliest it is known).
 *
 * @example
 * ```ts
 * const hits = hammerConfirmed(candles);
 * ```
 */
export function hammerConfirmed(cols: OhlcColumns): Uint8Array {
  return flags(
    "hammerConfirmed",
    cols,
    5,
    (w) =>
      isDownTrend(w.close.slice(0, 3)) && isHammerStick(w, 3) &&
      w.open[4] < w.close[4] && w.close[3] < w.close[4],
  );
}
