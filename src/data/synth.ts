// Seeded synthetic market: OHLCV candles from a regime-switching geometric random walk.

import { allocColumns, type CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { isOnGrid, timeframeMs } from "../core/timeframe.ts";
import { createRng, type Seed } from "./rng.ts";

/** Options for {@link synthMarket} and {@link synthCandles}. */
export interface SynthOptions {
  /** Number of candles to make. */
  bars: number;
  /** Seed: the same seed (and options) always gives byte-identical candles. */
  seed: Seed;
  /** Candle timeframe, default "1m". */
  timeframe?: string;
  /** Open time of the first candle (UTC epoch ms, on the timeframe grid), default 2024-01-01T00:00Z. */
  start?: number;
  /** Price the walk starts from, default 30000. */
  startPrice?: number;
  /** Price tick every price is rounded to, default 0.01 (a power of ten or a whole number). */
  tick?: number;
  /** Baseline annualised volatility of log returns, default 0.6 (regimes scale it). */
  annualVol?: number;
  /** Baseline traded volume per UTC day in base units, default 25000 (spread over the bars). */
  dailyVolume?: number;
}

/** Candles plus the regime each bar was drawn in. */
export interface SynthMarket {
  candles: CandleColumns;
  /** Regime index per bar, into `regimeNames`. */
  regimes: Uint8Array;
  /** Names of the regimes, indexed by the values in `regimes`. */
  regimeNames: string[];
}

/** Regime names, in the order of their indices in {@link SynthMarket.regimes}. */
export const REGIME_NAMES = ["quiet", "chop", "uptrend", "downtrend", "volatile", "crash"] as const;

/** Regime index of a crash (entered with a gap down between the last close and the next open). */
export const CRASH = 5;

interface RegimeSpec {
  /** Volatility multiple of the baseline per-bar sigma. */
  vol: number;
  /** Drift per bar, in baseline per-bar sigmas. */
  drift: number;
  /** Pull per bar of the log price toward its level when the regime began (mean reversion). */
  revert: number;
  /** Shortest stay in bars; the rest is exponential with mean `extraBars`. */
  minBars: number;
  extraBars: number;
  /** Chance per bar of a gap (a jump between the previous close and this open). */
  gapProb: number;
  /** Probabilities of the next regime, indexed like REGIME_NAMES (sum to 1). */
  next: number[];
}

// deno-fmt-ignore
const REGIMES: RegimeSpec[] = [
  { vol: 0.45, drift: 0, revert: 0.004, minBars: 120, extraBars: 600, gapProb: 0.0002, next: [0, .35, .25, .22, .15, .03] },
  { vol: 0.85, drift: 0, revert: 0.02, minBars: 90, extraBars: 500, gapProb: 0.0003, next: [.30, 0, .25, .25, .17, .03] },
  { vol: 1.0, drift: 0.07, revert: 0, minBars: 150, extraBars: 700, gapProb: 0.0004, next: [.22, .35, 0, .10, .28, .05] },
  { vol: 1.15, drift: -0.08, revert: 0, minBars: 120, extraBars: 600, gapProb: 0.0006, next: [.20, .35, .12, 0, .25, .08] },
  { vol: 2.6, drift: 0, revert: 0, minBars: 30, extraBars: 200, gapProb: 0.004, next: [.20, .30, .20, .20, 0, .10] },
  { vol: 4.0, drift: -0.3, revert: 0, minBars: 5, extraBars: 20, gapProb: 0, next: [0, .25, .20, 0, .55, 0] },
];

const YEAR_MS = 365 * 86_400_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * DAY_MS;
/** Monday 1970-01-05 00:00 UTC. */
const WEEK_ORIGIN_MS = 4 * DAY_MS;
/** 2024-01-01T00:00:00Z, a Monday. */
const DEFAULT_START = 1_704_067_200_000;
/** Stochastic volatility: log-vol AR(1) coefficient and shock size per bar. */
const SV_PHI = 0.98;
const SV_ETA = 0.06;

/**
 * Makes a seeded synthetic market with switching regimes and returns the candles and labels.
 *
 * Log price follows a random walk with per-bar sigma `annualVol * sqrt(tfMs / year)`, scaled by
 * the regime, by slow stochastic volatility and (below 1d) by a UTC hour-of-day and weekend
 * profile. High and low are drawn from the Brownian-bridge maximum/minimum between open and
 * close. Volume grows with the volatility level and with the bar's |return|.
 *
 * @example
 * ```ts
 * const { candles, regimes, regimeNames } = synthMarket({ bars: 1440, seed: "demo" });
 * regimeNames[regimes[0]]; // e.g. "chop"
 * candles.close[1439]; // the last close, rounded to 0.01
 * ```
 */
export function synthMarket(options: SynthOptions): SynthMarket {
  const timeframe = options.timeframe ?? "1m";
  const tfMs = timeframeMs(timeframe);
  const bars = options.bars;
  const start = options.start ?? DEFAULT_START;
  const startPrice = options.startPrice ?? 30000;
  const tick = options.tick ?? 0.01;
  const annualVol = options.annualVol ?? 0.6;
  const dailyVolume = options.dailyVolume ?? 25000;
  validate(options, timeframe, bars, start, startPrice, tick, annualVol, dailyVolume);

  const tickInv = tick < 1 ? Math.round(1 / tick) : 0;
  const roundTick = tickInv > 0
    ? (p: number): number => Math.max(tick, Math.round(p * tickInv) / tickInv)
    : (p: number): number => Math.max(tick, Math.round(p / tick) * tick);

  const rng = createRng(options.seed);
  const cols = allocColumns(bars);
  const regimes = new Uint8Array(bars);
  const sigma = annualVol * Math.sqrt(tfMs / YEAR_MS);
  const anchorKappa = 2 * sigma * sigma; // pulls the log price home over ~1.4 years
  const barVolume = (dailyVolume * tfMs) / DAY_MS;
  const [volSeason, volumeSeason] = seasonTables(tfMs);
  const logVol = REGIMES.map((r) => Math.log(r.vol));

  const x0 = Math.log(startPrice);
  let x = x0; // unrounded log price of the last close
  let prevClose = roundTick(startPrice);
  let h = 0; // stochastic log-volatility
  // Regimes last fewer bars on timeframes above 1h, so daily data is not one regime per year.
  const durScale = Math.min(1, Math.sqrt(HOUR_MS / tfMs));
  const minBars = REGIMES.map((r) => Math.max(1, Math.round(r.minBars * durScale)));
  const extraBars = REGIMES.map((r) => r.extraBars * durScale);
  const stay = (k: number): number =>
    minBars[k] + Math.floor(-Math.log(1 - rng.next()) * extraBars[k]);
  let regime = rng.int(0, 4);
  let left = stay(regime);
  let anchor = x;

  for (let i = 0; i < bars; i++) {
    let gap = 0;
    if (left === 0) {
      regime = pickNext(REGIMES[regime].next, rng.next());
      left = stay(regime);
      anchor = x;
      if (regime === CRASH) gap = -Math.min(0.12, sigma * (5 + 10 * rng.next()));
    }
    left--;
    const spec = REGIMES[regime];
    const ts = start + i * tfMs;
    const u = rng.next();
    if (gap === 0 && i > 0 && u < spec.gapProb) {
      const size = Math.min(0.08, sigma * (2 + 4 * rng.next()));
      gap = rng.next() < 0.5 ? -size : size;
    }
    x += gap;
    const open = gap !== 0 ? roundTick(Math.exp(x)) : prevClose;

    const how = Math.floor((((ts - WEEK_ORIGIN_MS) % WEEK_MS + WEEK_MS) % WEEK_MS) / HOUR_MS);
    h = SV_PHI * h + SV_ETA * rng.normal();
    const s = sigma * Math.exp(logVol[regime] + h) * volSeason[how];
    const drift = spec.drift * sigma - spec.revert * (x - anchor) - anchorKappa * (x - x0);
    const z = rng.normal();
    const xc = x + drift + s * z;
    const close = roundTick(Math.exp(xc));
    const hi = bridgeMax(x, xc, s, rng.next());
    const lo = -bridgeMax(-x, -xc, s, rng.next());
    const high = Math.max(roundTick(Math.exp(hi)), open, close);
    const low = Math.min(roundTick(Math.exp(lo)), open, close);

    const level = Math.exp(0.8 * (logVol[regime] + h));
    const noise = Math.exp(0.25 * rng.normal() - 0.03125);
    let volume = barVolume * volumeSeason[how] * level * (0.4 + 0.6 * Math.abs(z)) * noise;
    if (gap !== 0) volume *= 2.5;

    cols.ts[i] = ts;
    cols.open[i] = open;
    cols.high[i] = high;
    cols.low[i] = low;
    cols.close[i] = close;
    cols.volume[i] = Math.round(volume * 1e4) / 1e4;
    regimes[i] = regime;
    x = xc;
    prevClose = close;
  }
  return { candles: cols, regimes, regimeNames: [...REGIME_NAMES] };
}

/**
 * Makes seeded synthetic candles; the same as `synthMarket(options).candles`.
 *
 * @example
 * ```ts
 * const day = synthCandles({ bars: 1440, seed: 7 }); // one day of 1m candles from 2024-01-01
 * const years = synthCandles({ bars: 3650, seed: 7, timeframe: "1d" });
 * ```
 */
export function synthCandles(options: SynthOptions): CandleColumns {
  return synthMarket(options).candles;
}

/** Picks the next regime from a row of transition probabilities with a uniform draw `u`. */
function pickNext(row: number[], u: number): number {
  let acc = 0;
  for (let k = 0; k < row.length; k++) {
    acc += row[k];
    if (u < acc) return k;
  }
  let last = row.length - 1;
  while (row[last] === 0) last--;
  return last;
}

/** Draws the maximum of a Brownian bridge from `a` to `b` with scale `s` over one bar. */
function bridgeMax(a: number, b: number, s: number, u: number): number {
  const e = -Math.log(1 - u);
  const d = b - a;
  return (a + b + Math.sqrt(d * d + 2 * e * s * s)) / 2;
}

/** Hour-of-week multipliers for volatility and volume (flat for timeframes above a day). */
function seasonTables(tfMs: number): [Float64Array, Float64Array] {
  const vol = new Float64Array(168);
  const volume = new Float64Array(168);
  for (let k = 0; k < 168; k++) {
    const day = Math.floor(k / 24); // 0 = Monday
    const hour = k % 24;
    let f = 1;
    if (tfMs < DAY_MS) f *= 1 + 0.3 * Math.cos((2 * Math.PI * (hour - 15)) / 24);
    if (tfMs <= DAY_MS && day >= 5) f *= 0.75;
    vol[k] = Math.sqrt(f);
    volume[k] = f;
  }
  return [vol, volume];
}

function validate(
  options: SynthOptions,
  timeframe: string,
  bars: number,
  start: number,
  startPrice: number,
  tick: number,
  annualVol: number,
  dailyVolume: number,
): void {
  if (!Number.isInteger(bars) || bars < 0) {
    throw new ConfigError(`bars must be a whole number of candles (0 or more), got ${bars}.`);
  }
  if (!Number.isFinite(tick) || tick <= 0) {
    throw new ConfigError(`tick must be a positive number, got ${tick}.`);
  }
  if (tick < 1 && Math.abs(Math.round(1 / tick) * tick - 1) > 1e-9) {
    throw new ConfigError(`tick ${tick} must divide 1 exactly (such as 0.01 or 0.5).`);
  }
  if (!Number.isFinite(startPrice) || startPrice < tick) {
    throw new ConfigError(
      `startPrice must be a number of at least one tick (${tick}), got ${startPrice}.`,
    );
  }
  if (!Number.isFinite(annualVol) || annualVol <= 0) {
    throw new ConfigError(`annualVol must be a positive number, got ${annualVol}.`);
  }
  if (!Number.isFinite(dailyVolume) || dailyVolume < 0) {
    throw new ConfigError(`dailyVolume must be 0 or more, got ${dailyVolume}.`);
  }
  if (!Number.isFinite(start) || !isOnGrid(start, timeframe)) {
    throw new ConfigError(
      `start ${options.start} is not on the ${timeframe} grid: use a UTC time that a ${timeframe} candle opens at.`,
    );
  }
}
