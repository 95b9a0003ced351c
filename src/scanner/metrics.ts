// Every scanner metric for one series window: ATR, the volatility estimators, volume and trend.

import { type CandleColumns, isoUtc, sliceColumns } from "../core/candles.ts";
import { timeframeMs } from "../core/timeframe.ts";
import { adx, atr } from "../indicators/mod.ts";
import {
  annualise,
  closeToCloseVar,
  efficiencyRatio,
  garmanKlassVar,
  parkinsonVar,
  periodsPerYear,
  realizedVol,
  rogersSatchellVar,
  yangZhangVar,
} from "./estimators.ts";

const DAY_MS = 86_400_000;

/** Lower-timeframe candles for realised volatility (e.g. 5m candles for a 1h series). */
export interface LowerCandles {
  timeframe: string;
  candles: CandleColumns;
}

/** Lower timeframes realised volatility may use, finest first (default for {@link rvTimeframeFor}). */
export const RV_TIMEFRAMES = ["1m", "5m", "15m", "1h"] as const;

/**
 * The lower timeframe whose returns give a series' realised volatility: the coarsest of
 * `candidates` that fits at least 12 times into `timeframe` (1h → 5m, 4h → 15m, 1d → 1h),
 * else the finest that fits at least twice (5m → 1m); undefined when none does (1m).
 *
 * @example
 * ```ts
 * rvTimeframeFor("1h"); // "5m"
 * ```
 */
export function rvTimeframeFor(
  timeframe: string,
  candidates: readonly string[] = RV_TIMEFRAMES,
): string | undefined {
  const tf = timeframeMs(timeframe);
  const sorted = [...candidates].sort((a, b) => timeframeMs(a) - timeframeMs(b));
  const fits = (min: number) => sorted.filter((c) => tf / timeframeMs(c) >= min);
  return fits(12).at(-1) ?? fits(2)[0];
}

/** Options for {@link seriesMetrics}. */
export interface MetricOptions {
  /** Wilder ATR length (default 14). */
  atrPeriod?: number;
  /** ADX length (default 14). */
  adxPeriod?: number;
  /** Candles for realised volatility; without them `realized` is NaN. */
  lower?: LowerCandles;
}

/** Every metric of one window. Volatilities are annualised fractions (0.6 = 60 % a year). */
export interface SeriesMetrics {
  /** Candles in the window, and the open times of its first and last. */
  candles: number;
  first: number;
  last: number;
  /** Candles missing inside the window (gaps between first and last). */
  missing: number;
  /** Last close, and the window's change C_last / C_first − 1. */
  close: number;
  change: number;
  /** Wilder ATR at the last candle, in price, and as a percentage of the last close. */
  atr: number;
  atrPct: number;
  closeToClose: number;
  parkinson: number;
  garmanKlass: number;
  rogersSatchell: number;
  yangZhang: number;
  /** The k Yang–Zhang used. */
  yangZhangK: number;
  /** Realised volatility from lower-timeframe returns (NaN without enough of them). */
  realized: number;
  /** Timeframe the realised volatility came from, or "" when none. */
  rvTimeframe: string;
  /** Lower-timeframe returns behind `realized`. */
  rvReturns: number;
  /** Σ volume (base units) and Σ volume × close (quote units) over the window. */
  volume: number;
  quoteVolume: number;
  /** Quote volume per day: quoteVolume × 1 day / (last − first + one candle). */
  quoteVolumePerDay: number;
  /** ADX at the last candle (0..100; NaN with fewer than 2 × adxPeriod candles). */
  adx: number;
  /** Kaufman efficiency ratio |C_last − C_first| / Σ|ΔC| (0..1). */
  efficiency: number;
}

/**
 * Describes the first candle that breaks OHLC rules (non-finite or non-positive price, high
 * below open/close/low, low above open/close, negative volume, time not increasing), or
 * undefined when all are sound.
 */
export function findBadCandle(c: CandleColumns): string | undefined {
  for (let i = 0; i < c.ts.length; i++) {
    const o = c.open[i], h = c.high[i], l = c.low[i], x = c.close[i], v = c.volume[i];
    const at = Number.isFinite(c.ts[i]) ? isoUtc(c.ts[i]) : `index ${i}`;
    if (![o, h, l, x, v].every(Number.isFinite)) return `candle at ${at} has a non-finite value`;
    if (o <= 0 || h <= 0 || l <= 0 || x <= 0) return `candle at ${at} has a price of 0 or less`;
    if (h < Math.max(o, x, l) || l > Math.min(o, x)) {
      return `candle at ${at} has high ${h} / low ${l} outside its open ${o} and close ${x}`;
    }
    if (v < 0) return `candle at ${at} has negative volume ${v}`;
    if (i > 0 && !(c.ts[i] > c.ts[i - 1])) return `candle at ${at} is not after the one before`;
  }
  return undefined;
}

/** The last `n` candles of `c` (all when it has fewer), sharing memory. */
export function lastCandles(c: CandleColumns, n: number): CandleColumns {
  const len = c.ts.length;
  return len <= n ? c : sliceColumns(c, len - n, len);
}

/**
 * Computes every metric over `candles` (the whole input is the window; cut it first with
 * {@link lastCandles}). Throws a RangeError naming the candle when the OHLC data is unsound,
 * so a scan can skip the series with that reason.
 *
 * @example
 * ```ts
 * const m = seriesMetrics(lastCandles(hourly, 200), "1h", { lower: { timeframe: "5m", candles } });
 * console.log(m.yangZhang, m.atrPct, m.quoteVolumePerDay);
 * ```
 */
export function seriesMetrics(
  candles: CandleColumns,
  timeframe: string,
  options: MetricOptions = {},
): SeriesMetrics {
  const n = candles.ts.length;
  const tf = timeframeMs(timeframe);
  if (n === 0) throw new RangeError("no candles in the window");
  const bad = findBadCandle(candles);
  if (bad) throw new RangeError(bad);
  const P = periodsPerYear(timeframe);
  const atrPeriod = options.atrPeriod ?? 14;
  const adxPeriod = options.adxPeriod ?? 14;
  const { high, low, close, volume, ts } = candles;
  const first = ts[0], last = ts[n - 1];
  const atrValue = n > atrPeriod ? atr(high, low, close, atrPeriod)[n - 1] : NaN;
  const adxValue = n >= 2 * adxPeriod ? adx(high, low, close, adxPeriod).adx[n - 1] : NaN;
  let vol = 0, quote = 0;
  for (let i = 0; i < n; i++) (vol += volume[i], quote += volume[i] * close[i]);
  const yz = yangZhangVar(candles);
  let realized = NaN, rvReturns = 0, rvTimeframe = "";
  if (options.lower) {
    const rv = realizedVol(options.lower.candles, options.lower.timeframe, first, last + tf);
    realized = rv.vol;
    rvReturns = rv.returns;
    rvTimeframe = options.lower.timeframe;
  }
  return {
    candles: n,
    first,
    last,
    missing: Math.round((last - first) / tf) + 1 - n,
    close: close[n - 1],
    change: close[n - 1] / close[0] - 1,
    atr: atrValue,
    atrPct: (atrValue / close[n - 1]) * 100,
    closeToClose: annualise(closeToCloseVar(candles), P),
    parkinson: annualise(parkinsonVar(candles), P),
    garmanKlass: annualise(garmanKlassVar(candles), P),
    rogersSatchell: annualise(rogersSatchellVar(candles), P),
    yangZhang: annualise(yz.variance, P),
    yangZhangK: yz.k,
    realized,
    rvTimeframe,
    rvReturns,
    volume: vol,
    quoteVolume: quote,
    quoteVolumePerDay: quote * DAY_MS / (last - first + tf),
    adx: adxValue,
    efficiency: efficiencyRatio(candles),
  };
}
