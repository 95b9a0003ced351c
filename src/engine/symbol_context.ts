// The one StrategyContext: a symbol's candles by timeframe, their indicators, its position.

import { ConfigError } from "../core/errors.ts";
import type { Broker } from "../core/ports.ts";
import type {
  ExternalSignals,
  IndicatorSpec,
  Line,
  Lines,
  StrategyContext,
  TimeframeView,
} from "../core/strategy.ts";

/** Which series a symbol's context shows: its symbol, base timeframe and higher timeframes. */
export interface SeriesSpec {
  symbol: string;
  /** The base timeframe (the one `onCandle` is called for). */
  timeframe: string;
  /** Higher timeframes built from the base candles (default none); each a multiple of it. */
  higher?: readonly string[];
}

/**
 * The candles a {@link SymbolContext} shows, by timeframe, and how indicators are computed on
 * them. Two fills: {@link BatchSeries} (a backtest: every candle at once, batch kernels) and
 * {@link StreamSeries} (a bot: one closed candle at a time, incremental kernels). Either way a
 * view's columns and a computed line are the same objects for the whole run.
 */
export interface SeriesSource {
  readonly symbol: string;
  /** The base timeframe's view. */
  readonly base: TimeframeView;
  /** Every timeframe's view (the base's included), by timeframe. */
  readonly views: ReadonlyMap<string, TimeframeView>;
  /** Computes indicator `spec` over the candles of `tf` (a key of `views`); once per spec. */
  compute(spec: IndicatorSpec, tf: string): Line | Lines;
}

/**
 * What a strategy's create() receives, the same in a backtest, paper and live: its views and
 * indicators come from a {@link SeriesSource} and keep their identity as the source fills, so
 * whatever create() keeps (columns, lines, views, even these methods) stays valid for the run.
 * One indicator object per timeframe and spec.
 *
 * @example
 * ```ts
 * const series = new BatchSeries({ symbol: "BTC/USDT", timeframe: "1m" }, candles);
 * const strategy = def.create(params, new SymbolContext(series, broker));
 * ```
 */
export class SymbolContext implements StrategyContext {
  /** The run's base timeframe (the one `onCandle` is called for). */
  readonly base: TimeframeView;
  /** A timeframe declared in the strategy's `timeframes` (or the base); ConfigError otherwise. */
  readonly timeframe: StrategyContext["timeframe"];
  /** Declares an indicator on the base timeframe or on `tf`; one object per spec. */
  readonly indicator: StrategyContext["indicator"];
  /** The position in this symbol now, or undefined when flat. */
  readonly position: StrategyContext["position"];
  readonly symbol: string;
  /** Signals from outside while running (a bot's alerts); undefined in backtests. */
  readonly external?: ExternalSignals;
  readonly #cache = new Map<string, Line | Lines>();

  constructor(source: SeriesSource, broker: Broker, external?: ExternalSignals) {
    const { symbol, views } = source;
    this.external = external;
    this.symbol = symbol;
    this.base = source.base;
    const baseTf = this.base.timeframe;
    // Properties rather than methods: a strategy may keep `ctx.indicator` or `ctx.position` alone.
    this.timeframe = (tf) => {
      const v = views.get(tf);
      if (v === undefined) {
        throw new ConfigError(
          `Timeframe "${tf}" was not declared by the strategy's timeframes(); declared: ${
            [...views.keys()].join(", ")
          }.`,
        );
      }
      return v;
    };
    this.indicator = ((spec: IndicatorSpec, tf = baseTf) => {
      this.timeframe(tf); // throws for an undeclared timeframe
      const key = `${tf}:${JSON.stringify(spec)}`;
      let out = this.#cache.get(key);
      if (out === undefined) {
        out = source.compute(spec, tf);
        this.#cache.set(key, out);
      }
      return out;
    }) as StrategyContext["indicator"];
    this.position = () => {
      const p = broker.position(symbol);
      return p ? { side: p.side, entryPrice: p.entryPrice, qty: p.qty } : undefined;
    };
  }
}
