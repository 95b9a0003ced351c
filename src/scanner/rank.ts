// Ranking: metrics per series, filters, percentile ranks and the appeal score (pure, no I/O).

import type { CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { fmtNum } from "../core/format.ts";
import { lastCandles, type LowerCandles, type SeriesMetrics, seriesMetrics } from "./metrics.ts";
import { keepSymbol, type SymbolFilter } from "./universe.ts";

/*
 * The appeal score (0..100), computed among the rows of one timeframe that passed the filters:
 *
 *   score = 100 · (w_v · p_v + w_l · p_l + w_t · p_t) / (w_v + w_l + w_t)
 *
 *   p_v  percentile rank of the volatility metric (default Yang–Zhang, annualised)
 *   p_l  percentile rank of liquidity: average quote volume per day over the window
 *   p_t  percentile rank of trend strength (default Kaufman efficiency ratio; or ADX)
 *   w    weights, default w_v = 0.5, w_l = 0.3, w_t = 0.2
 *
 * Percentile ranks make the three parts comparable whatever their units, and keep one
 * outlier (a 900 % volatility meme coin) from flattening everyone else. Rows are ranked within
 * their timeframe because window quote volumes and regimes differ between timeframes.
 * Filters before scoring: quote currency, market type, exclusions, at least `minCandles`
 * candles, sound OHLC, and average quote volume per day >= `minQuoteVolume`.
 */

/** One series to rank: its candles (the last `window` are used) and optional lower-TF candles. */
export interface ScanInput {
  symbol: string;
  timeframe: string;
  candles: CandleColumns;
  /** Lower-timeframe candles covering the window, for realised volatility. */
  lower?: LowerCandles;
}

/** Weights of the three parts of the appeal score (any non-negative numbers, not all 0). */
export interface AppealWeights {
  volatility: number;
  liquidity: number;
  trend: number;
}

/** Default weights: volatility 0.5, liquidity 0.3, trend 0.2. */
export const DEFAULT_WEIGHTS: Readonly<AppealWeights> = Object.freeze({
  volatility: 0.5,
  liquidity: 0.3,
  trend: 0.2,
});

/** Candles per series window by default. */
export const DEFAULT_WINDOW = 200;

/** Metrics the volatility part of the score can rank by. */
export const VOL_METRICS = [
  "yangZhang",
  "closeToClose",
  "parkinson",
  "garmanKlass",
  "rogersSatchell",
  "realized",
  "atrPct",
] as const;

/** A metric the volatility part can rank by (default "yangZhang"). */
export type VolMetric = typeof VOL_METRICS[number];

/** A metric the trend part can rank by: efficiency ratio (default) or ADX. */
export type TrendMetric = "efficiency" | "adx";

/** One ranked series: every metric, the appeal score (0..100) and its three parts (0..1). */
export interface ScanRow extends SeriesMetrics {
  /** 1 = most appealing, within its timeframe. */
  rank: number;
  symbol: string;
  timeframe: string;
  score: number;
  /** Percentile rank of the volatility metric among the timeframe's rows. */
  pVolatility: number;
  /** Percentile rank of quote volume per day. */
  pLiquidity: number;
  /** Percentile rank of the trend metric. */
  pTrend: number;
}

/** A series left out, and why; a scan goes on without it. */
export interface SkippedSeries {
  symbol: string;
  /** Absent when the whole symbol was left out. */
  timeframe?: string;
  /** Where it dropped out: choosing markets, getting candles, computing metrics, or a filter. */
  stage: "market" | "candles" | "metrics" | "filter";
  reason: string;
}

/** Options for {@link rankSymbols}. */
export interface RankOptions extends SymbolFilter {
  /** Candles per window, the newest ones (default 200). */
  window?: number;
  /** Rows kept per timeframe (default: all). */
  top?: number;
  /** Least average quote volume per day over the window (default 0). */
  minQuoteVolume?: number;
  /** Fewest candles a window needs (default max(3, ceil(window / 2))). */
  minCandles?: number;
  /** Score weights; missing ones take {@link DEFAULT_WEIGHTS}. */
  weights?: Partial<AppealWeights>;
  volMetric?: VolMetric;
  trendMetric?: TrendMetric;
  /** ATR and ADX lengths (default 14 each). */
  atrPeriod?: number;
  adxPeriod?: number;
}

/** What ranking gives: rows grouped by timeframe (in input order), best first; skipped series. */
export interface RankResult {
  rows: ScanRow[];
  skipped: SkippedSeries[];
}

/**
 * Percentile rank of each value among the finite ones, in [0, 1]:
 * pr(x) = (#{y < x} + (#{y = x} − 1) / 2) / (m − 1) over the m finite values (ties share the
 * mid rank; the least value gets 0, the greatest 1). m = 1 gives 1; a non-finite value gets 0.
 *
 * @example
 * ```ts
 * percentileRanks([10, 30, 20, NaN]); // [0, 1, 0.5, 0]
 * ```
 */
export function percentileRanks(values: readonly number[]): number[] {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const m = finite.length;
  const lowerBound = (x: number, strict: boolean) => {
    let lo = 0, hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? finite[mid] < x : finite[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return values.map((x) => {
    if (!Number.isFinite(x)) return 0;
    if (m === 1) return 1;
    const below = lowerBound(x, true);
    const equal = lowerBound(x, false) - below;
    return (below + (equal - 1) / 2) / (m - 1);
  });
}

/** Full weights from partial ones; throws ConfigError on a negative or non-finite weight or all 0. */
export function resolveWeights(w: Partial<AppealWeights> = {}): AppealWeights {
  const out = { ...DEFAULT_WEIGHTS, ...w };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v < 0) {
      throw new ConfigError(`Weight ${k} must be a number of 0 or more, got "${v}".`);
    }
  }
  if (out.volatility + out.liquidity + out.trend === 0) {
    throw new ConfigError("The score weights are all 0: give at least one a positive weight.");
  }
  return out;
}

/**
 * The appeal score, 0..100:
 * score = 100 · (w_v · p_v + w_l · p_l + w_t · p_t) / (w_v + w_l + w_t),
 * where p_v, p_l, p_t are percentile ranks (0..1) of volatility, liquidity and trend strength.
 *
 * @example
 * ```ts
 * appealScore({ volatility: 1, liquidity: 0.5, trend: 0 }, DEFAULT_WEIGHTS); // 65
 * ```
 */
export function appealScore(parts: AppealWeights, weights: AppealWeights): number {
  const sum = weights.volatility + weights.liquidity + weights.trend;
  return 100 *
    (weights.volatility * parts.volatility + weights.liquidity * parts.liquidity +
      weights.trend * parts.trend) /
    sum;
}

/**
 * Ranks series you already have candles for: filters (type, quote, exclusions, minimum candles,
 * minimum quote volume per day), computes {@link SeriesMetrics}, then within each timeframe
 * scores every row with {@link appealScore} on the percentile ranks of `volMetric` (default
 * Yang–Zhang), quote volume per day and `trendMetric` (default efficiency ratio). Rows are
 * sorted by score, then quote volume per day, then symbol; `top` keeps the best per timeframe.
 *
 * @example
 * ```ts
 * const { rows } = rankSymbols([
 *   { symbol: "BTC/USDT", timeframe: "1h", candles: btc },
 *   { symbol: "ETH/USDT", timeframe: "1h", candles: eth },
 * ], { window: 200, top: 10 });
 * rows[0].symbol; rows[0].score; rows[0].yangZhang;
 * ```
 */
export function rankSymbols(inputs: readonly ScanInput[], options: RankOptions = {}): RankResult {
  const window = options.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(window) || window < 3) {
    throw new ConfigError(
      `The window must be a whole number of at least 3 candles, got ${window}.`,
    );
  }
  const minCandles = Math.min(window, options.minCandles ?? Math.max(3, Math.ceil(window / 2)));
  const minQuote = options.minQuoteVolume ?? 0;
  const weights = resolveWeights(options.weights);
  const volMetric = options.volMetric ?? "yangZhang";
  const trendMetric = options.trendMetric ?? "efficiency";
  if (!VOL_METRICS.includes(volMetric)) {
    throw new ConfigError(
      `Volatility metric "${volMetric}" is unknown: use one of ${VOL_METRICS.join(", ")}.`,
    );
  }
  const skipped: SkippedSeries[] = [];
  const groups = new Map<string, (SeriesMetrics & { symbol: string; timeframe: string })[]>();
  for (const input of inputs) {
    const { symbol, timeframe } = input;
    const skip = (stage: SkippedSeries["stage"], reason: string) =>
      skipped.push({ symbol, timeframe, stage, reason });
    if (!keepSymbol(symbol, options)) {
      skip("filter", "left out by the quote, type or exclusion filter");
      continue;
    }
    const candles = lastCandles(input.candles, window);
    if (candles.ts.length < minCandles) {
      skip("candles", `only ${candles.ts.length} candles (a window needs at least ${minCandles})`);
      continue;
    }
    let m: SeriesMetrics;
    try {
      m = seriesMetrics(candles, timeframe, { ...options, lower: input.lower });
    } catch (err) {
      skip("metrics", err instanceof Error ? err.message : String(err));
      continue;
    }
    if (!(m.quoteVolumePerDay >= minQuote)) {
      skip(
        "filter",
        `quote volume ${fmtNum(m.quoteVolumePerDay, 4)} a day is below the minimum ${
          fmtNum(minQuote, 4)
        }`,
      );
      continue;
    }
    if (!groups.has(timeframe)) groups.set(timeframe, []);
    groups.get(timeframe)!.push({ ...m, symbol, timeframe });
  }
  const rows: ScanRow[] = [];
  for (const group of groups.values()) {
    const pv = percentileRanks(group.map((r) => r[volMetric]));
    const pl = percentileRanks(group.map((r) => r.quoteVolumePerDay));
    const pt = percentileRanks(group.map((r) => r[trendMetric]));
    const scored = group.map((r, i): ScanRow => ({
      ...r,
      rank: 0,
      score: appealScore({ volatility: pv[i], liquidity: pl[i], trend: pt[i] }, weights),
      pVolatility: pv[i],
      pLiquidity: pl[i],
      pTrend: pt[i],
    }));
    scored.sort((a, b) =>
      b.score - a.score || b.quoteVolumePerDay - a.quoteVolumePerDay ||
      (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)
    );
    const kept = scored.slice(0, options.top ?? scored.length);
    kept.forEach((r, i) => (r.rank = i + 1));
    rows.push(...kept);
  }
  return { rows, skipped };
}
