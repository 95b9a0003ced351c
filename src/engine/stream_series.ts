// A bot's series: closed candles pushed one at a time, indicators grown by the incremental kernels.

import { type Candle, candleAt, type CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type { IndicatorSpec, Line, Lines, TimeframeView } from "../core/strategy.ts";
import { GrowingColumns } from "./growing_columns.ts";
import { IndicatorStream } from "./indicator_stream.ts";
import type { SeriesSource, SeriesSpec } from "./symbol_context.ts";
import { GrowingHigherTimeframe } from "./timeframes.ts";

/** The candles of one timeframe as they grow, and the indicators declared on them. */
class Growing {
  readonly view: TimeframeView;
  readonly streams: IndicatorStream[] = [];

  constructor(
    timeframe: string,
    readonly candles: GrowingColumns,
    closedIndex: (baseIndex: number) => number,
  ) {
    this.view = { timeframe, data: candles.columns, closedIndex };
  }

  /** Feeds a closed candle to every indicator (the owner pushes the candle itself). */
  feed(c: Candle): void {
    const streams = this.streams;
    for (let k = 0; k < streams.length; k++) streams[k].push(c);
  }

  /** A new indicator, caught up over the candles already seen. */
  compute(spec: IndicatorSpec): Line | Lines {
    const s = new IndicatorStream(spec);
    const n = this.candles.length;
    for (let i = 0; i < n; i++) s.push(candleAt(this.candles.columns, i));
    this.streams.push(s);
    return s.output;
  }
}

/**
 * The candles of a bot, filled one closed candle at a time with exactly the values a backtest
 * over the same candles gives: base-timeframe indicators through the incremental kernels, higher
 * timeframes extended by each closed candle (only closed higher candles visible), their
 * indicators through the incremental kernels too. Columns and lines grow in place (see
 * GrowingArray): past the latest candle they hold NaN.
 *
 * @example
 * ```ts
 * const series = new StreamSeries({ symbol: "BTC/USDT", timeframe: "1m" });
 * const strategy = def.create(params, new SymbolContext(series, broker));
 * const i = series.push(candle); // then engine.step({ symbol, data: series.data, strategy }, i)
 * ```
 */
export class StreamSeries implements SeriesSource {
  readonly symbol: string;
  readonly base: TimeframeView;
  readonly views = new Map<string, TimeframeView>();
  readonly #base: Growing;
  readonly #higher: {
    candles: GrowingHigherTimeframe;
    onClose: (higher: Candle) => void;
  }[] = [];
  readonly #byTimeframe = new Map<string, Growing>();

  /** Throws a ConfigError when a higher timeframe cannot be built from the base candles. */
  constructor(spec: SeriesSpec) {
    const { symbol, timeframe, higher = [] } = spec;
    this.symbol = symbol;
    this.#base = new Growing(timeframe, new GrowingColumns(), (i) => i);
    this.base = this.#base.view;
    this.#add(timeframe, this.#base);
    for (const tf of higher) {
      if (this.views.has(tf)) continue;
      const candles = new GrowingHigherTimeframe(timeframe, tf);
      const series = new Growing(tf, candles.candles, (i) => candles.closedIndex(i));
      this.#higher.push({ candles, onClose: (k) => series.feed(k) });
      this.#add(tf, series);
    }
  }

  /** The base candles so far: the same columns for the whole run (past `length`: NaN). */
  get data(): CandleColumns {
    return this.base.data;
  }

  /** Candles pushed so far. */
  get length(): number {
    return this.#base.candles.length;
  }

  /** Open time of the latest candle (-Infinity before the first). */
  get lastTs(): number {
    return this.#base.candles.lastTs;
  }

  /** Appends the next closed base candle (strictly later than the previous); returns its index. */
  push(c: Candle): number {
    const base = this.#base;
    if (!(c.ts > base.candles.lastTs)) {
      throw new ConfigError(
        `Candle at ${c.ts} is not after the previous one (${base.candles.lastTs}) on ` +
          `${this.symbol} ${base.view.timeframe}.`,
      );
    }
    const i = base.candles.push(c);
    base.feed(c);
    for (const h of this.#higher) h.candles.push(c, h.onClose);
    return i;
  }

  compute(spec: IndicatorSpec, tf: string): Line | Lines {
    return this.#byTimeframe.get(tf)!.compute(spec);
  }

  #add(tf: string, series: Growing): void {
    this.views.set(tf, series.view);
    this.#byTimeframe.set(tf, series);
  }
}
