// Hand-made candle scenarios for sma_cross and ema_cross: only a strict cross is a signal.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { ema, sma } from "../../src/indicators/mod.ts";
import { decided, fromCloses } from "./support.ts";

type Kernel = (c: Float64Array) => [Float64Array, Float64Array];

const SMA: Kernel = (c) => [sma(c, 2), sma(c, 3)];
// alpha 1/2 and 1/4: with whole-number closes every value is exact, so equality is real.
const EMA: Kernel = (c) => [ema(c, 3), ema(c, 7)];

const STRATEGIES = {
  sma_cross: { kernel: SMA, params: { fast_period: 2, slow_period: 3 }, flat: [10, 10, 10] },
  ema_cross: { kernel: EMA, params: { fast_period: 3, slow_period: 7 }, flat: Array(7).fill(10) },
} as const;

/** -1 fast below slow, 0 equal, 1 above, from the last flat candle on. */
function geometry(kernel: Kernel, closes: number[], from: number): number[] {
  const [fast, slow] = kernel(new Float64Array(closes));
  const out: number[] = [];
  for (let i = from; i < closes.length; i++) out.push(Math.sign(fast[i] - slow[i]));
  return out;
}

/**
 * Scenario rows: the closes after the flat start (both lines equal at the last flat candle),
 * the fast-vs-slow geometry they make from that candle on, and the decisions expected, as
 * [offset from the last flat candle, side, outcome].
 */
const SCENARIOS: Record<keyof typeof STRATEGIES, {
  name: string;
  tail: number[];
  geometry: number[];
  expect: [number, string, string][];
}[]> = {
  sma_cross: [
    {
      name: "strict cross up, then down",
      tail: [7, 14, 6, 6],
      geometry: [0, -1, 1, 1, -1],
      expect: [[2, "long", "open"], [4, "short", "close"]],
    },
    { name: "touch from below", tail: [9, 11, 6, 6], geometry: [0, -1, 0, -1, -1], expect: [] },
    { name: "touch from above", tail: [11, 9, 14, 6], geometry: [0, 1, 0, 1, 1], expect: [] },
    { name: "equal, then apart", tail: [10, 11, 10], geometry: [0, 0, 1, 1], expect: [] },
    {
      name: "equal all along (flat market)",
      tail: [10, 10, 10, 10],
      geometry: [0, 0, 0, 0, 0],
      expect: [],
    },
  ],
  ema_cross: [
    {
      name: "strict cross up, then down",
      tail: [6, 12, 10, 6],
      geometry: [0, -1, 1, 1, -1],
      expect: [[2, "long", "open"], [4, "short", "close"]],
    },
    { name: "touch from below", tail: [6, 11, 6, 6], geometry: [0, -1, 0, -1, -1], expect: [] },
    { name: "touch from above", tail: [14, 9, 11, 11], geometry: [0, 1, 0, 1, 1], expect: [] },
    { name: "equal, then apart", tail: [10, 11, 10], geometry: [0, 0, 1, 1], expect: [] },
    {
      name: "equal all along (flat market)",
      tail: [10, 10, 10, 10],
      geometry: [0, 0, 0, 0, 0],
      expect: [],
    },
  ],
};

for (const [strategy, spec] of Object.entries(STRATEGIES)) {
  for (const row of SCENARIOS[strategy as keyof typeof STRATEGIES]) {
    Deno.test(`${strategy}: ${row.name}`, async () => {
      const closes = [...spec.flat, ...row.tail];
      const last = spec.flat.length - 1;
      assert.deepEqual(
        geometry(spec.kernel, closes, last),
        row.geometry,
        "the scenario is what it claims",
      );
      const candles = fromCloses(closes);
      const r = await backtest(
        { strategy, symbol: "T/USDT", timeframe: "1h", params: spec.params },
        candles,
      );
      const expected = row.expect.map(([off, side, code]) => [last + off, side, code]);
      assert.deepEqual(decided(r, candles), expected);
    });
  }
}
