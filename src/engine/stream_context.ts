// The StrategyContext of a live bot: candles arrive one at a time; indicators grow with them.

import { type Candle, candleAt } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type {
  IndicatorSpec,
  Line,
  Lines,
  StrategyContext,
  TimeframeView,
} from "../core/strategy.ts";
import type { CandleColumns } from "../core/candles.ts";
import { GrowingColumns } from "./growing_columns.ts";
import { IndicatorStream } from "./indicator_stream.ts";
import type { Broker } from "../core/ports.ts";
import { GrowingHigherTimeframe } from "./timeframes.ts";

/** A higher timeframe of a live context: its candles and the indicators declared on it. */
interface Higher {
  readonly candles: GrowingHigherTimeframe;
  readonly view: TimeframeView;
  readonly streams: Map<string, IndicatorStream>;
}

/**
 * Feeds a strategy candle by candle with exactly the values a backtest over the same candles
 * would give it: base-timeframe indicators through the incremental kernels, higher timeframes
 * extended by each closed candle (only closed higher candles are visible), their indicators
 * through the incremental kernels too. Every column and line a strategy gets keeps its identity
 * as it grows, so a strategy may keep them from create() on, as in a backtest.
 *
 * @example
 * ```ts
 * const live = new StreamContext("BTC/USDT", "1m", broker);
 * const strategy = def.create(params, live.ctx);
 * const i = live.push(candle); // then engine.step({ symbol, data: live.data, strategy }, i)
 * ```
 */
export class StreamContext {
  readonly ctx: StrategyContext;
  readonly #base = new GrowingColumns();
  readonly #streams = new Map<string, IndicatorStream>();
  readonly #higher = new Map<string, Higher>();
  readonly #timeframe: string;

  constructor(symbol: string, timeframe: string, broker: Broker, higher: readonly string[] = []) {
    this.#timeframe = timeframe;
    const baseView: TimeframeView = {
      timeframe,
      data: this.#base.columns,
      closedIndex: (i) => i,
    };
    for (const tf of higher) {
      if (tf === timeframe || this.#higher.has(tf)) continue;
      // throws ConfigError now when tf is not a multiple of the base
      const candles = new GrowingHigherTimeframe(timeframe, tf);
      this.#higher.set(tf, {
        candles,
        view: {
          timeframe: tf,
          data: candles.candles.columns,
          closedIndex: (i) => candles.closedIndex(i),
        },
        streams: new Map(),
      });
    }
    const view = (tf: string): TimeframeView => {
      if (tf === timeframe) return baseView;
      const h = this.#higher.get(tf);
      if (!h) {
        throw new ConfigError(
          `Timeframe "${tf}" was not declared by the strategy's timeframes(); declared: ${
            [timeframe, ...this.#higher.keys()].join(", ")
          }.`,
        );
      }
      return h.view;
    };
    this.ctx = {
      symbol,
      base: baseView,
      timeframe: view,
      indicator: ((spec: IndicatorSpec, tf = timeframe) => {
        view(tf); // throws for an undeclared timeframe
        return this.#indicator(spec, tf);
      }) as StrategyContext["indicator"],
      position() {
        const p = broker.position(symbol);
        return p ? { side: p.side, entryPrice: p.entryPrice, qty: p.qty } : undefined;
      },
    };
  }

  /** The base candles so far: the same columns for the whole run (past `length`: NaN). */
  get data(): CandleColumns {
    return this.#base.columns;
  }

  /** Candles pushed so far. */
  get length(): number {
    return this.#base.length;
  }

  /** Open time of the latest candle (-Infinity before the first). */
  get lastTs(): number {
    return this.#base.lastTs;
  }

  /** Appends the next closed base candle (strictly later than the previous); returns its index. */
  push(c: Candle): number {
    if (!(c.ts > this.#base.lastTs)) {
      throw new ConfigError(
        `Candle at ${c.ts} is not after the previous one (${this.#base.lastTs}) on ${this.ctx.symbol} ${this.#timeframe}.`,
      );
    }
    const i = this.#base.push(c);
    for (const s of this.#streams.values()) s.push(c);
    for (const h of this.#higher.values()) {
      h.candles.push(c, (k) => {
        for (const s of h.streams.values()) s.push(k);
      });
    }
    return i;
  }

  #indicator(spec: IndicatorSpec, tf: string): Line | Lines {
    const key = JSON.stringify(spec);
    const h = tf === this.#timeframe ? undefined : this.#higher.get(tf)!;
    const streams = h === undefined ? this.#streams : h.streams;
    let s = streams.get(key);
    if (!s) {
      s = new IndicatorStream(spec);
      // declared late: catch up over the candles already seen
      const cols = h === undefined ? this.#base : h.candles.candles;
      for (let i = 0; i < cols.length; i++) s.push(candleAt(cols.columns, i));
      streams.set(key, s);
    }
    return s.output;
  }
}
