// Test support for the indicators: data sets, series assertions and the table of kernels.

import assert from "node:assert/strict";
import type { CandleColumns } from "../../src/core/candles.ts";
import { createRng } from "../../src/data/rng.ts";
import { synthCandles } from "../../src/data/synth.ts";
import * as ind from "../../src/indicators/mod.ts";

/** Named output columns of one indicator run. */
export type Outputs = Record<string, Float64Array>;

/** Seeded synthetic 1m candles. */
export function candles(bars: number, seed: string | number = "indicators"): CandleColumns {
  return synthCandles({ bars, seed });
}

/** A deep copy of candle columns. */
export function copyCandles(c: CandleColumns): CandleColumns {
  return {
    ts: c.ts.slice(),
    open: c.open.slice(),
    high: c.high.slice(),
    low: c.low.slice(),
    close: c.close.slice(),
    volume: c.volume.slice(),
  };
}

/**
 * Candles with trouble in them: a leading NaN block, scattered NaNs in single columns, a NaN
 * run longer than every window, a perfectly flat stretch with zero volume and an Infinity-free
 * outlier spike.
 */
export function nastyCandles(bars = 1500, seed = "nasty"): CandleColumns {
  const c = candles(bars, seed);
  const rng = createRng(`${seed}:holes`);
  const price = ["open", "high", "low", "close", "volume"] as const;
  for (const f of price) for (let i = 0; i < 5; i++) c[f][i] = NaN;
  for (let k = 0; k < 40; k++) c[price[rng.int(0, 4)]][rng.int(5, bars - 1)] = NaN;
  for (let i = 400; i < 460; i++) for (const f of price) c[f][i] = NaN;
  for (let i = 700; i < 760; i++) {
    for (const f of ["open", "high", "low", "close"] as const) c[f][i] = 30_000;
    c.volume[i] = 0;
  }
  c.high[900] = c.close[900] = 1e9;
  return c;
}

/** Candles whose opens gap away from the previous close, so engulfing patterns can occur. */
export function gappyCandles(bars: number, seed = "gappy"): CandleColumns {
  const c = candles(bars, seed);
  const rng = createRng(`${seed}:gaps`);
  for (let i = 1; i < bars; i++) {
    const o = Math.round(c.close[i - 1] * (1 + 0.002 * rng.normal()) * 100) / 100;
    c.open[i] = o;
    c.high[i] = Math.max(c.high[i], o);
    c.low[i] = Math.min(c.low[i], o);
  }
  return c;
}

/** Asserts two series are identical element by element (Object.is: NaN == NaN, 0 != -0). */
export function assertSameSeries(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what = "",
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}: index ${i}: ${actual[i]} !== ${expected[i]}`);
    }
  }
}

/**
 * Asserts |a - b| <= tol * max(|a|, |b|, scale) element-wise, with NaN only where the other is
 * NaN. `scale` is the typical size of the series (so values that should be 0 but carry another
 * library's running-sum residue still compare as equal to the series' precision).
 */
export function assertCloseSeries(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what = "",
  tol = 1e-9,
  scale = 0,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Object.is(a, b)) continue;
    const ok = Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), scale);
    if (!ok) assert.fail(`${what}: index ${i}: ${a} vs ${b}`);
  }
}

/** Runs a per-candle step and gathers its (number or record) results into columns. */
export function liveRun(n: number, step: (i: number) => number | object): Outputs {
  let out: Outputs | null = null;
  for (let i = 0; i < n; i++) {
    const v = step(i);
    if (typeof v === "number") {
      out ??= { value: new Float64Array(n) };
      out.value[i] = v;
    } else {
      const rec = v as Record<string, number>;
      out ??= Object.fromEntries(Object.keys(rec).map((k) => [k, new Float64Array(n)]));
      for (const k of Object.keys(rec)) out[k][i] = rec[k];
    }
  }
  return out ?? {};
}

/** Wraps a batch result (one column or a record of columns) as Outputs. */
export function asOutputs(r: Float64Array | object): Outputs {
  return r instanceof Float64Array ? { value: r } : { ...(r as Outputs) };
}

/** One kernel with its batch and incremental forms run over whole candle columns. */
export interface KernelSpec {
  name: string;
  batch(c: CandleColumns): Outputs;
  live(c: CandleColumns): Outputs;
}

/** Every kernel with the parameters the tests use. */
export const KERNELS: KernelSpec[] = [
  {
    name: "sma(20)",
    batch: (c) => asOutputs(ind.sma(c.close, 20)),
    live: (c) => {
      const s = new ind.SmaState(20);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "ema(20)",
    batch: (c) => asOutputs(ind.ema(c.close, 20)),
    live: (c) => {
      const s = new ind.EmaState(20);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "rma(14)",
    batch: (c) => asOutputs(ind.rma(c.close, 14)),
    live: (c) => {
      const s = new ind.RmaState(14);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "rsi(14)",
    batch: (c) => asOutputs(ind.rsi(c.close, 14)),
    live: (c) => {
      const s = new ind.RsiState(14);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "atr(14)",
    batch: (c) => asOutputs(ind.atr(c.high, c.low, c.close, 14)),
    live: (c) => {
      const s = new ind.AtrState(14);
      return liveRun(c.close.length, (i) => s.update(c.high[i], c.low[i], c.close[i]));
    },
  },
  {
    name: "macd(12,26,9)",
    batch: (c) => asOutputs(ind.macd(c.close, 12, 26, 9)),
    live: (c) => {
      const s = new ind.MacdState(12, 26, 9);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "bollinger(20,2)",
    batch: (c) => asOutputs(ind.bollinger(c.close, 20, 2)),
    live: (c) => {
      const s = new ind.BollingerState(20, 2);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "rollingStdev(20)",
    batch: (c) => asOutputs(ind.rollingStdev(c.close, 20)),
    live: (c) => {
      const s = new ind.RollingStdevState(20);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "rollingMax(20)",
    batch: (c) => asOutputs(ind.rollingMax(c.high, 20)),
    live: (c) => {
      const s = new ind.RollingMaxState(20);
      return liveRun(c.high.length, (i) => s.update(c.high[i]));
    },
  },
  {
    name: "rollingMin(20)",
    batch: (c) => asOutputs(ind.rollingMin(c.low, 20)),
    live: (c) => {
      const s = new ind.RollingMinState(20);
      return liveRun(c.low.length, (i) => s.update(c.low[i]));
    },
  },
  {
    name: "roc(10)",
    batch: (c) => asOutputs(ind.roc(c.close, 10)),
    live: (c) => {
      const s = new ind.RocState(10);
      return liveRun(c.close.length, (i) => s.update(c.close[i]));
    },
  },
  {
    name: "obv",
    batch: (c) => asOutputs(ind.obv(c.close, c.volume)),
    live: (c) => {
      const s = new ind.ObvState();
      return liveRun(c.close.length, (i) => s.update(c.close[i], c.volume[i]));
    },
  },
  {
    name: "vwap",
    batch: (c) => asOutputs(ind.vwap(c.high, c.low, c.close, c.volume)),
    live: (c) => {
      const s = new ind.VwapState();
      return liveRun(c.close.length, (i) => s.update(c.high[i], c.low[i], c.close[i], c.volume[i]));
    },
  },
  {
    name: "vwapSession",
    batch: (c) => asOutputs(ind.vwapSession(c.high, c.low, c.close, c.volume, c.ts)),
    live: (c) => {
      const s = new ind.VwapSessionState();
      return liveRun(
        c.close.length,
        (i) => s.update(c.high[i], c.low[i], c.close[i], c.volume[i], c.ts[i]),
      );
    },
  },
  {
    name: "adx(14)",
    batch: (c) => asOutputs(ind.adx(c.high, c.low, c.close, 14)),
    live: (c) => {
      const s = new ind.AdxState(14);
      return liveRun(c.close.length, (i) => s.update(c.high[i], c.low[i], c.close[i]));
    },
  },
  {
    name: "stochastic(14,3,3)",
    batch: (c) => asOutputs(ind.stochastic(c.high, c.low, c.close, 14, 3, 3)),
    live: (c) => {
      const s = new ind.StochasticState(14, 3, 3);
      return liveRun(c.close.length, (i) => s.update(c.high[i], c.low[i], c.close[i]));
    },
  },
];

/** Asserts two Outputs have the same keys and identical columns. */
export function assertSameOutputs(actual: Outputs, expected: Outputs, what: string) {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: keys`);
  for (const k of Object.keys(expected)) assertSameSeries(actual[k], expected[k], `${what}.${k}`);
}
