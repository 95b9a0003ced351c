// The strategy contract: a name, a version, zod parameters, warm-up, and a per-candle callback.

import { z } from "zod";
import type { CandleColumns } from "./candles.ts";
import { ConfigError } from "./errors.ts";
import type { Direction, ExternalSignal, Signal } from "./trading.ts";

/**
 * The `direction` run setting, which {@link defineStrategy} adds to every strategy's parameters:
 * long only (default), short only, or both. The risk gate enforces it (a disabled side's signal
 * closes an opposite position, or is refused as `direction` when flat); strategies signal both
 * sides and need not read it.
 */
export const directionParam = z.enum(["long", "short", "both"]).default("long")
  .describe("Which entries are allowed; with long only, a bearish signal closes a long");

/** Parameters `P` with the `direction` every strategy takes. */
export type WithDirection<P> = P & { direction: Direction };

/** Indicators of one line. */
export type LineSpec =
  | {
    kind: "sma" | "ema" | "rma" | "rsi" | "roc" | "stdev" | "max" | "min";
    source?: Source;
    period: number;
  }
  | { kind: "atr"; period: number }
  | { kind: "obv" | "vwap" };

/** MACD: lines `macd`, `signal`, `histogram`. */
export type MacdSpec = {
  kind: "macd";
  fast: number;
  slow: number;
  signal: number;
  source?: Source;
};
/** Bollinger bands: lines `middle`, `upper`, `lower`. */
export type BbandsSpec = { kind: "bbands"; period: number; k: number; source?: Source };
/** ADX with its directional indicators: lines `adx`, `plusDi`, `minusDi`. */
export type AdxSpec = { kind: "adx"; period: number };

/** Indicator kinds a strategy can declare; the engine computes them (batch or incrementally). */
export type IndicatorSpec = LineSpec | MacdSpec | BbandsSpec | AdxSpec;

/** A price field an indicator reads. */
export type Source = "open" | "high" | "low" | "close" | "volume";

/** Declared indicator output: values aligned to the candle index of its timeframe (NaN in warm-up). */
export interface Line {
  readonly values: Float64Array;
}

/** Outputs of a multi-line indicator, by name (e.g. macd: macd, signal, histogram). */
export type Lines = Record<string, Line>;

/** The lines of {@link MacdSpec}. */
export interface MacdLines extends Lines {
  macd: Line;
  signal: Line;
  histogram: Line;
}

/** The lines of {@link BbandsSpec}. */
export interface BandLines extends Lines {
  middle: Line;
  upper: Line;
  lower: Line;
}

/** The lines of {@link AdxSpec}. */
export interface AdxLines extends Lines {
  adx: Line;
  plusDi: Line;
  minusDi: Line;
}

/**
 * Candles of one timeframe as a strategy sees them. The columns (and every indicator line) are
 * the same arrays for the whole run, in a backtest and live alike, so a strategy may keep them
 * from create() on. Live, they grow: past the latest closed candle they hold NaN (and their
 * `length` is not the number of candles); read index `i` and earlier only.
 */
export interface TimeframeView {
  readonly timeframe: string;
  readonly data: CandleColumns;
  /**
   * For a higher timeframe: the index of its latest candle that had CLOSED when base candle
   * `baseIndex` closed, or -1. For the base timeframe: `baseIndex` itself.
   */
  closedIndex(baseIndex: number): number;
}

/** What `create` receives: data views and indicator declarations. */
export interface StrategyContext {
  readonly symbol: string;
  /** The run's base timeframe (the one `onCandle` is called for). */
  readonly base: TimeframeView;
  /** A higher timeframe declared in `timeframes`. */
  timeframe(tf: string): TimeframeView;
  /**
   * Declares an indicator on the base timeframe, or on `tf`; the same spec gives the same
   * object. One line for most kinds; named lines for macd, bbands and adx.
   */
  indicator(spec: MacdSpec, tf?: string): MacdLines;
  indicator(spec: BbandsSpec, tf?: string): BandLines;
  indicator(spec: AdxSpec, tf?: string): AdxLines;
  indicator(spec: LineSpec, tf?: string): Line;
  indicator(spec: IndicatorSpec, tf?: string): Line | Lines;
  /** Position in this symbol right now, as the strategy may need it (undefined when flat). */
  position(): { side: "long" | "short"; entryPrice: number; qty: number } | undefined;
  /**
   * Signals from outside arriving while the strategy runs (a bot's TradingView alerts): `fn`
   * gets each once, between candles, in arrival order. Absent in backtests, which get their
   * signals as parameters.
   */
  readonly external?: ExternalSignals;
}

/** Where a running strategy hears of signals from outside (see StrategyContext.external). */
export interface ExternalSignals {
  subscribe(fn: (s: ExternalSignal) => void): void;
}

/** A running strategy: called once per closed base candle, in time order. */
export interface StrategyInstance {
  /**
   * Decides on the close of base candle `i`. Read only data at or before `i` (and
   * `closedIndex(i)` of higher timeframes): anything later is the future.
   */
  onCandle(i: number): Signal | null;
}

/** A strategy definition, one per file in strategies/, as {@link defineStrategy} makes it. */
export interface StrategyDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  name: string;
  /**
   * Other names it answers to (e.g. "ema_crossover" for "ema_cross"). Names and aliases are
   * matched without regard to case wherever a strategy is named.
   */
  aliases?: readonly string[];
  /** Stored with every run and decision; bump it when behaviour changes. */
  version: string;
  description: string;
  /** Parameters with ranges and defaults, `direction` included. The optimiser reads it. */
  params: z.ZodType<P>;
  /** Higher timeframes used besides the base (default none). */
  timeframes?: (params: P) => string[];
  /** Base candles needed before the first decision. */
  warmup(params: P): number;
  create(params: P, ctx: StrategyContext): StrategyInstance;
}

/**
 * What a strategy file writes: a definition whose `params` leave out `direction` (it is added to
 * them), and whose callbacks receive the parameters with it.
 */
export interface StrategySpec<P extends Record<string, unknown>>
  extends Omit<StrategyDefinition<WithDirection<P>>, "params"> {
  /** A `z.object` of the strategy's own parameters, with ranges and defaults (refinements kept). */
  params: z.ZodType<P>;
}

/**
 * Makes a strategy definition: its parameter schema gets the `direction` run setting
 * ({@link directionParam}, after its own fields). Throws a ConfigError when `params` is not a
 * `z.object`.
 *
 * @example
 * ```ts
 * export default defineStrategy({
 *   name: "sma_cross", version: "1.0.0", description: "...",
 *   params: z.object({ fast_period: z.number().int().min(2).max(200).default(10), ... }),
 *   warmup: (p) => p.slow_period + 1,
 *   create: (p, ctx) => { const fast = ctx.indicator({ kind: "sma", period: p.fast_period }).values; ... },
 * });
 * ```
 */
export function defineStrategy<P extends Record<string, unknown>>(
  spec: StrategySpec<P>,
): StrategyDefinition<WithDirection<P>> {
  const own = spec.params as unknown as { extend?: (shape: z.ZodRawShape) => z.ZodType };
  if (typeof own.extend !== "function") {
    throw new ConfigError(
      `Strategy "${spec.name}" must declare its params as a z.object({...}) (direction is added ` +
        `to it); it does not.`,
    );
  }
  const params = own.extend({ direction: directionParam }) as z.ZodType<WithDirection<P>>;
  return { ...spec, params };
}
