// Declared indicators (IndicatorSpec) computed candle by candle with the incremental kernels.

import type { Candle } from "../core/candles.ts";
import type { IndicatorSpec, Line, Lines, Source } from "../core/strategy.ts";
import {
  AdxState,
  AtrState,
  BollingerState,
  EmaState,
  MacdState,
  ObvState,
  RmaState,
  RocState,
  RollingMaxState,
  RollingMinState,
  RollingStdevState,
  RsiState,
  SmaState,
  VwapState,
} from "../indicators/mod.ts";
import { GrowingLine } from "./growing_columns.ts";

/** One candle in, the indicator's value(s) at that candle out. */
type Step = (c: Candle) => number | Record<string, number>;

function stepOf(spec: IndicatorSpec): Step {
  const src = (s: Source | undefined, fallback: Source) => {
    const f = s ?? fallback;
    return (c: Candle) => c[f];
  };
  switch (spec.kind) {
    case "sma":
    case "ema":
    case "rma":
    case "rsi":
    case "roc":
    case "stdev":
    case "max":
    case "min": {
      const state = new ({
        sma: SmaState,
        ema: EmaState,
        rma: RmaState,
        rsi: RsiState,
        roc: RocState,
        stdev: RollingStdevState,
        max: RollingMaxState,
        min: RollingMinState,
      }[spec.kind])(spec.period);
      const pick = src(
        spec.source,
        spec.kind === "max" ? "high" : spec.kind === "min" ? "low" : "close",
      );
      return (c) => state.update(pick(c));
    }
    case "atr": {
      const s = new AtrState(spec.period);
      return (c) => s.update(c.high, c.low, c.close);
    }
    case "adx": {
      const s = new AdxState(spec.period);
      return (c) => ({ ...s.update(c.high, c.low, c.close) });
    }
    case "macd": {
      const s = new MacdState(spec.fast, spec.slow, spec.signal);
      const pick = src(spec.source, "close");
      return (c) => ({ ...s.update(pick(c)) });
    }
    case "bbands": {
      const s = new BollingerState(spec.period, spec.k);
      const pick = src(spec.source, "close");
      return (c) => ({ ...s.update(pick(c)) });
    }
    case "obv": {
      const s = new ObvState();
      return (c) => s.update(c.close, c.volume);
    }
    case "vwap": {
      const s = new VwapState();
      return (c) => s.update(c.high, c.low, c.close, c.volume);
    }
  }
}

/**
 * An indicator that grows with the candles: `output` is the Line or Lines a strategy holds; its
 * `values` arrays are replaced (never mutated in place beyond their end) as candles arrive, with
 * exactly the values the batch kernels give for the same candles.
 */
export class IndicatorStream {
  readonly output: Line | Lines;
  readonly #step: Step;
  #single?: GrowingLine;
  #multi?: Record<string, GrowingLine>;

  constructor(spec: IndicatorSpec) {
    this.#step = stepOf(spec);
    if (spec.kind === "macd" || spec.kind === "bbands" || spec.kind === "adx") {
      const keys = spec.kind === "macd"
        ? ["macd", "signal", "histogram"]
        : spec.kind === "bbands"
        ? ["middle", "upper", "lower"]
        : ["adx", "plusDi", "minusDi"];
      this.#multi = Object.fromEntries(keys.map((k) => [k, new GrowingLine()]));
      this.output = this.#multi;
    } else {
      this.#single = new GrowingLine();
      this.output = this.#single;
    }
  }

  /** Feeds the next candle. */
  push(c: Candle): void {
    const v = this.#step(c);
    if (typeof v === "number") this.#single!.push(v);
    else for (const [k, line] of Object.entries(this.#multi!)) line.push(v[k]);
  }
}
