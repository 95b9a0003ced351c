// The StrategyContext of a live bot: candles arrive one at a time; indicators grow with them.

import { type Candle, candleAt, type CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type {
  IndicatorSpec,
  Line,
  Lines,
  StrategyContext,
  TimeframeView,
} from "../core/strategy.ts";
import { GrowingColumns } from "./growing_columns.ts";
import { computeIndicator } from "./indicator_bank.ts";
import { IndicatorStream } from "./indicator_stream.ts";
import type { Broker } from "./ports.ts";
import { higherView } from "./timeframes.ts";

/** A Line of a higher timeframe: recomputed in batch whenever a higher candle closes. */
interface HigherIndicator {
  spec: IndicatorSpec;
  output: Line | Lines;
}

interface Higher {
  view: TimeframeView;
  /** Rebuilds the view from the base candles seen so far. */
  refresh(): void;
  /** Closed higher candles when the indicators were last computed. */
  computedFor: number;
  indicators: HigherIndicator[];
}

/**
 * Feeds a strategy candle by candle with exactly the values a backtest over the same candles
 * would give it: base-timeframe indicators through the incremental kernels, higher timeframes
 * by exact resampling of the base candles seen so far (only closed higher candles are visible).
 *
 * @example
 * ```ts
 * const live = new LiveContext("BTC/USDT", "1m", broker);
 * const strategy = def.create(params, live.ctx);
 * const i = live.push(candle); // then engine.step({ symbol, data: live.data, strategy }, i)
 * ```
 */
export class LiveContext {
  readonly ctx: StrategyContext;
  readonly #base = new GrowingColumns();
  readonly #streams = new Map<string, IndicatorStream>();
  readonly #higher = new Map<string, Higher>();
  readonly #timeframe: string;

  constructor(symbol: string, timeframe: string, broker: Broker, higher: readonly string[] = []) {
    this.#timeframe = timeframe;
    const base = this.#base;
    const baseView: TimeframeView = {
      timeframe,
      get data() {
        return base.columns;
      },
      closedIndex: (i) => i,
    };
    for (const tf of higher) {
      if (tf === timeframe) continue;
      // Validates the pair now (throws ConfigError when tf is not a multiple of the base).
      let current = higherView(base.columns, timeframe, tf);
      const h: Higher = {
        view: {
          timeframe: tf,
          get data() {
            return current.data;
          },
          closedIndex: (i) => current.closedIndex(i),
        },
        refresh: () => void (current = higherView(base.columns, timeframe, tf)),
        computedFor: -1,
        indicators: [],
      };
      this.#higher.set(tf, h);
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
      indicator: (spec, tf = timeframe) => this.#indicator(spec, tf, view),
      position() {
        const p = broker.position(symbol);
        return p ? { side: p.side, entryPrice: p.entryPrice, qty: p.qty } : undefined;
      },
    };
  }

  /** The base candles so far (a new object after every push). */
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
      h.refresh();
      const n = h.view.data.ts.length;
      if (n !== h.computedFor) {
        h.computedFor = n;
        for (const ind of h.indicators) assign(ind.output, computeIndicator(ind.spec, h.view.data));
      }
    }
    return i;
  }

  #indicator(spec: IndicatorSpec, tf: string, view: (tf: string) => TimeframeView): Line | Lines {
    const key = `${tf}:${JSON.stringify(spec)}`;
    if (tf === this.#timeframe) {
      let s = this.#streams.get(key);
      if (!s) {
        s = new IndicatorStream(spec);
        // Declared late: catch up over the candles already seen.
        const d = this.#base.columns;
        for (let i = 0; i < d.ts.length; i++) {
          s.push(candleAt(d, i));
        }
        this.#streams.set(key, s);
      }
      return s.output;
    }
    view(tf); // throws for an undeclared timeframe
    const h = this.#higher.get(tf)!;
    const found = h.indicators.find((x) => JSON.stringify(x.spec) === JSON.stringify(spec));
    if (found) return found.output;
    const output = mutableCopy(computeIndicator(spec, h.view.data));
    h.indicators.push({ spec, output });
    return output;
  }
}

function isLine(x: Line | Lines): x is Line {
  return (x as Line).values instanceof Float64Array;
}

function mutableCopy(x: Line | Lines): Line | Lines {
  if (isLine(x)) return { values: x.values };
  const out: Lines = {};
  for (const [k, v] of Object.entries(x)) out[k] = { values: v.values };
  return out;
}

/** Replaces the values of `target`'s lines with `from`'s (same shape). */
function assign(target: Line | Lines, from: Line | Lines): void {
  if (isLine(target)) {
    (target as { values: Float64Array }).values = (from as Line).values;
    return;
  }
  for (const [k, v] of Object.entries(from as Lines)) {
    (target[k] as { values: Float64Array }).values = v.values;
  }
}
