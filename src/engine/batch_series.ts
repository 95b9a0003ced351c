// A backtest's series: every candle known at once, indicators computed by the batch kernels.

import type { CandleColumns } from "../core/candles.ts";
import type { IndicatorSpec, Line, Lines, TimeframeView } from "../core/strategy.ts";
import { computeIndicator } from "./indicator_bank.ts";
import type { SeriesSource, SeriesSpec } from "./symbol_context.ts";
import { baseView, higherView } from "./timeframes.ts";

/**
 * The candles of a backtest, filled at once: the base columns as given, each higher timeframe
 * resampled from them (only closed higher candles visible), an indicator computed over all the
 * candles of its timeframe in one pass when declared.
 *
 * @example
 * ```ts
 * const spec = { symbol: "SYN/USDT", timeframe: "15m", higher: ["1h"] };
 * const ctx = new SymbolContext(new BatchSeries(spec, candles), broker);
 * ```
 */
export class BatchSeries implements SeriesSource {
  readonly symbol: string;
  readonly base: TimeframeView;
  readonly views = new Map<string, TimeframeView>();

  /** Throws a ConfigError when a higher timeframe cannot be built from the base candles. */
  constructor(spec: SeriesSpec, data: CandleColumns) {
    const { symbol, timeframe, higher = [] } = spec;
    this.symbol = symbol;
    this.base = baseView(timeframe, data);
    this.views.set(timeframe, this.base);
    for (const tf of higher) {
      if (!this.views.has(tf)) this.views.set(tf, higherView(data, timeframe, tf));
    }
  }

  compute(spec: IndicatorSpec, tf: string): Line | Lines {
    return computeIndicator(spec, this.views.get(tf)!.data);
  }
}
