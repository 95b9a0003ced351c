// Views of base and higher-timeframe candles, and which higher candle had closed at each base bar.

import type { CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type { TimeframeView } from "../core/strategy.ts";
import { timeframeMs } from "../core/timeframe.ts";
import { resample } from "../data/resample.ts";

/** The base timeframe's view: closedIndex is the identity. */
export function baseView(timeframe: string, data: CandleColumns): TimeframeView {
  return { timeframe, data, closedIndex: (i) => i };
}

/**
 * A higher timeframe built from the base candles by exact resampling, with a precomputed map
 * from each base index to the latest higher candle closed by then. No look-ahead by
 * construction: higher candle j is visible from the base bar whose close reaches j's close.
 */
export function higherView(
  base: CandleColumns,
  baseTf: string,
  tf: string,
): TimeframeView {
  const baseMs = timeframeMs(baseTf);
  const tfMs = timeframeMs(tf);
  if (tfMs < baseMs || tfMs % baseMs !== 0) {
    throw new ConfigError(
      `The strategy reads ${tf} candles built from the base timeframe's, so it needs a base ` +
        `timeframe of at most ${tf} that divides it evenly (such as ${suggestBase(tf)}); ` +
        `${baseTf} is ${tfMs < baseMs ? "longer" : "not a divisor"}.`,
    );
  }
  const { candles } = resample(base, baseTf, tf);
  const map = new Int32Array(base.ts.length);
  let j = -1;
  for (let i = 0; i < base.ts.length; i++) {
    const closeTime = base.ts[i] + baseMs;
    while (j + 1 < candles.ts.length && candles.ts[j + 1] + tfMs <= closeTime) j++;
    map[i] = j;
  }
  return { timeframe: tf, data: candles, closedIndex: (i) => map[i] };
}

/** A common base timeframe that divides `tf` (for messages). */
function suggestBase(tf: string): string {
  const ms = timeframeMs(tf);
  for (const c of ["15m", "5m", "1m"]) {
    if (timeframeMs(c) < ms && ms % timeframeMs(c) === 0) return c;
  }
  return "1m";
}
