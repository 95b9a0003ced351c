// The indicators a strategy declares, computed on candles and laid out as chart lines.

import type { CandleColumns } from "../core/candles.ts";
import type { Broker } from "../core/ports.ts";
import type { IndicatorSpec, Line, Lines, StrategyDefinition } from "../core/strategy.ts";
import { BatchSeries } from "../engine/batch_series.ts";
import type { SeriesSource } from "../engine/symbol_context.ts";
import { SymbolContext } from "../engine/symbol_context.ts";

/** Where a line is drawn: over the candles, or in a pane of its own below them. */
export type Pane = "price" | "separate";

/** One chart line: its name ("ema(12)", "bbands(20,2) upper", "rsi(14) 1h"), pane and values. */
export interface IndicatorLine {
  name: string;
  pane: Pane;
  /** One value per candle (null in warm-up or where the kernel gives NaN). */
  values: (number | null)[];
}

/** The kinds drawn over the candles when they read a price (not volume). */
const PRICE_KINDS = new Set(["sma", "ema", "rma", "max", "min", "bbands", "vwap"]);

/** The source a kind reads when its spec names none (see indicator_bank.ts). */
function defaultSource(kind: string): string {
  return kind === "max" ? "high" : kind === "min" ? "low" : "close";
}

/** Whether a declared indicator is drawn on the price scale or in a pane of its own. */
export function paneOf(spec: IndicatorSpec): Pane {
  const source = "source" in spec ? spec.source : undefined;
  return PRICE_KINDS.has(spec.kind) && source !== "volume" ? "price" : "separate";
}

/** The name of a declared indicator: its kind and arguments, e.g. "ema(12)", "macd(12,26,9)". */
export function indicatorName(spec: IndicatorSpec): string {
  const args: (string | number)[] = [];
  switch (spec.kind) {
    case "macd":
      args.push(spec.fast, spec.slow, spec.signal);
      break;
    case "bbands":
      args.push(spec.period, spec.k);
      break;
    case "obv":
    case "vwap":
      break;
    default:
      args.push(spec.period);
  }
  const source = "source" in spec ? spec.source : undefined;
  if (source !== undefined && source !== defaultSource(spec.kind)) args.push(source);
  return `${spec.kind}(${args.join(",")})`;
}

/** A series source that remembers which indicators the strategy declared, in order. */
class Recording implements SeriesSource {
  readonly declared: { spec: IndicatorSpec; tf: string; out: Line | Lines }[] = [];
  constructor(private readonly inner: BatchSeries) {}
  get symbol() {
    return this.inner.symbol;
  }
  get base() {
    return this.inner.base;
  }
  get views() {
    return this.inner.views;
  }
  compute(spec: IndicatorSpec, tf: string): Line | Lines {
    const out = this.inner.compute(spec, tf);
    this.declared.push({ spec, tf, out });
    return out;
  }
}

/** Create() is given no account: a strategy reads its position only while deciding. */
const NO_BROKER = { position: () => undefined } as unknown as Broker;

/**
 * The indicators strategy `def` declares in create() with `params`, computed by the engine's
 * batch kernels over `candles` (the same code a backtest runs), as chart lines over candles
 * `[start, end)`. An indicator of a higher timeframe is shown at each candle as the strategy
 * sees it then: the value of the latest higher candle closed by that candle's close.
 *
 * @example
 * ```ts
 * const lines = indicatorLines(def, params, { symbol: "BTC/USDT", timeframe: "1m" }, candles);
 * lines[0]; // { name: "ema(10)", pane: "price", values: [null, ..., 101.2] }
 * ```
 */
export function indicatorLines(
  def: StrategyDefinition,
  params: Record<string, unknown>,
  series: { symbol: string; timeframe: string },
  candles: CandleColumns,
  range: { start?: number; end?: number } = {},
): IndicatorLine[] {
  const start = range.start ?? 0;
  const end = range.end ?? candles.ts.length;
  const higher = def.timeframes?.(params) ?? [];
  const source = new Recording(new BatchSeries({ ...series, higher }, candles));
  def.create(params, new SymbolContext(source, NO_BROKER));
  const out: IndicatorLine[] = [];
  const seen = new Set<string>();
  for (const { spec, tf, out: computed } of source.declared) {
    const suffix = tf === series.timeframe ? "" : ` ${tf}`;
    const view = source.views.get(tf)!;
    const named: [string, Line][] = "values" in computed
      ? [[indicatorName(spec), computed as Line]]
      : Object.entries(computed).map(([k, l]) => [`${indicatorName(spec)} ${k}`, l]);
    for (const [name, line] of named) {
      const full = name + suffix;
      if (seen.has(full)) continue;
      seen.add(full);
      const values: (number | null)[] = [];
      for (let i = start; i < end; i++) {
        const j = view.closedIndex(i);
        const v = j < 0 ? NaN : line.values[j];
        values.push(Number.isFinite(v) ? v : null);
      }
      out.push({ name: full, pane: paneOf(spec), values });
    }
  }
  return out;
}
