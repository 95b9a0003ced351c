// The StrategyContext a strategy's create() receives: data views, indicators, its position.

import type { CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import type {
  IndicatorSpec,
  Line,
  Lines,
  StrategyContext,
  TimeframeView,
} from "../core/strategy.ts";
import { computeIndicator } from "./indicator_bank.ts";
import type { Broker } from "../core/ports.ts";
import { baseView, higherView } from "./timeframes.ts";

/**
 * Builds the context for one symbol over a fixed set of candles (backtest): indicators are
 * computed once, in batch, and cached by their spec; higher timeframes are resampled from the
 * base candles and only closed candles are visible.
 */
export function batchContext(
  symbol: string,
  timeframe: string,
  data: CandleColumns,
  broker: Broker,
  higher: readonly string[] = [],
): StrategyContext {
  const base = baseView(timeframe, data);
  const views = new Map<string, TimeframeView>([[timeframe, base]]);
  for (const tf of higher) if (tf !== timeframe) views.set(tf, higherView(data, timeframe, tf));
  const cache = new Map<string, Line | Lines>();
  const view = (tf: string): TimeframeView => {
    const v = views.get(tf);
    if (!v) {
      throw new ConfigError(
        `Timeframe "${tf}" was not declared by the strategy's timeframes(); declared: ${
          [...views.keys()].join(", ")
        }.`,
      );
    }
    return v;
  };
  return {
    symbol,
    base,
    timeframe: view,
    indicator: ((spec: IndicatorSpec, tf = timeframe) => {
      const key = `${tf}:${JSON.stringify(spec)}`;
      let out = cache.get(key);
      if (!out) {
        out = computeIndicator(spec, view(tf).data);
        cache.set(key, out);
      }
      return out;
    }) as StrategyContext["indicator"],
    position() {
      const p = broker.position(symbol);
      return p ? { side: p.side, entryPrice: p.entryPrice, qty: p.qty } : undefined;
    },
  };
}
