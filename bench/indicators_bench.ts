// Indicator kernel speeds: each batch kernel over a year of 1m candles (525,600), in elements/s.

import { synthCandles } from "../src/data/synth.ts";
import * as ind from "../src/indicators/mod.ts";

/** One measured figure, shaped for `deno task bench`. */
export interface IndicatorBenchRow {
  name: string;
  value: number;
  unit: string;
}

/** Options for {@link benchIndicators}; the defaults are what `deno task bench` should use. */
export interface IndicatorBenchOptions {
  /** Series length, default 525,600 (one year of 1m candles). */
  n?: number;
  /** Timed runs per kernel (the median is reported), default 15. */
  runs?: number;
}

/** Median wall time in ms of `fn` over `runs` runs, after a warm-up that lets the JIT settle. */
function medianMs(fn: () => unknown, runs: number): number {
  for (let i = 0; i < 25; i++) fn();
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const out = fn();
    times.push(performance.now() - t0);
    sink += out ? 1 : 0;
  }
  if (sink < 0) console.log(sink);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Times every batch kernel (and the SMA/EMA live states) on `n` seeded synthetic candles and
 * returns elements per second (candles per second for multi-input kernels).
 *
 * @example
 * ```ts
 * for (const row of await benchIndicators()) console.log(row.name, row.value, row.unit);
 * ```
 */
export function benchIndicators(options: IndicatorBenchOptions = {}): Promise<IndicatorBenchRow[]> {
  const n = options.n ?? 525_600;
  const runs = options.runs ?? 15;
  const c = synthCandles({ bars: n, seed: "indicators-bench" });
  const { high: h, low: l, close: x, volume: v, ts } = c;
  const kernels: [string, () => unknown][] = [
    ["sma(20)", () => ind.sma(x, 20)],
    ["sma(200)", () => ind.sma(x, 200)],
    ["ema(20)", () => ind.ema(x, 20)],
    ["rma(14)", () => ind.rma(x, 14)],
    ["rsi(14)", () => ind.rsi(x, 14)],
    ["atr(14)", () => ind.atr(h, l, x, 14)],
    ["macd(12,26,9)", () => ind.macd(x, 12, 26, 9)],
    ["bollinger(20,2)", () => ind.bollinger(x, 20, 2)],
    ["rollingStdev(20)", () => ind.rollingStdev(x, 20)],
    ["rollingMax(20)", () => ind.rollingMax(h, 20)],
    ["rollingMin(20)", () => ind.rollingMin(l, 20)],
    ["roc(10)", () => ind.roc(x, 10)],
    ["obv", () => ind.obv(x, v)],
    ["vwap", () => ind.vwap(h, l, x, v)],
    ["vwapSession", () => ind.vwapSession(h, l, x, v, ts)],
    ["adx(14)", () => ind.adx(h, l, x, 14)],
    ["stochastic(14,3,3)", () => ind.stochastic(h, l, x, 14, 3, 3)],
  ];
  const rows: IndicatorBenchRow[] = [];
  for (const [name, fn] of kernels) {
    const ms = medianMs(fn, runs);
    rows.push({
      name: `indicator ${name} batch`,
      value: Math.round(n / (ms / 1000)),
      unit: "elements/s",
    });
  }
  const live: [string, () => unknown][] = [
    ["SmaState(20)", () => {
      const s = new ind.SmaState(20);
      let last = 0;
      for (let i = 0; i < n; i++) last = s.update(x[i]);
      return last;
    }],
    ["EmaState(20)", () => {
      const s = new ind.EmaState(20);
      let last = 0;
      for (let i = 0; i < n; i++) last = s.update(x[i]);
      return last;
    }],
  ];
  for (const [name, fn] of live) {
    const ms = medianMs(fn, runs);
    rows.push({
      name: `indicator ${name} update`,
      value: Math.round(n / (ms / 1000)),
      unit: "updates/s",
    });
  }
  return Promise.resolve(rows);
}

if (import.meta.main) {
  for (const row of await benchIndicators()) {
    console.log(`${row.name.padEnd(40)} ${(row.value / 1e6).toFixed(1).padStart(8)} M ${row.unit}`);
  }
}
