// Tests for resample: table-driven tiny inputs with exact outputs, errors, and synth consistency.

import assert from "node:assert/strict";
import { type Candle, type CandleColumns, toColumns, toRows } from "../../src/core/candles.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { resample, resampleFactor } from "../../src/data/resample.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { k } from "../support.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1); // a Monday

const m = (n: number) => T0 + n * MIN;
const hr = (n: number) => T0 + n * HOUR;
const day = (n: number) => T0 + n * DAY;

interface Row {
  name: string;
  from: string;
  to: string;
  input: Candle[];
  lastTs?: number;
  want: Candle[];
  partial: number;
}

const ROWS: Row[] = [
  {
    name: "1m→5m exact aggregation",
    from: "1m",
    to: "5m",
    input: [
      k(m(0), 10, 12, 9, 11, 1),
      k(m(1), 11, 13, 10, 12, 2),
      k(m(2), 12, 15, 11, 14, 3),
      k(m(3), 14, 14, 8, 9, 4),
      k(m(4), 9, 10, 9, 10, 5),
      k(m(5), 10, 11, 10, 11, 1),
      k(m(6), 11, 11, 7, 8, 1),
      k(m(7), 8, 9, 8, 9, 1),
      k(m(8), 9, 20, 9, 19, 1),
      k(m(9), 19, 19, 18, 18, 6),
    ],
    want: [k(m(0), 10, 15, 8, 10, 15), k(m(5), 10, 20, 7, 18, 10)],
    partial: 0,
  },
  {
    name: "1h→1d splits on the UTC day boundary (lastTs closes the second day)",
    from: "1h",
    to: "1d",
    input: [
      k(hr(22), 100, 105, 99, 104, 2),
      k(hr(23), 104, 106, 103, 105, 3),
      k(hr(24), 105, 107, 101, 102, 4),
      k(hr(25), 102, 103, 100, 101, 5),
    ],
    lastTs: hr(47),
    want: [k(day(0), 100, 106, 99, 105, 5), k(day(1), 105, 107, 100, 101, 9)],
    partial: 2,
  },
  {
    name: "1d→1w weeks start on Monday; leading Sunday is its own partial week",
    from: "1d",
    to: "1w",
    input: [
      k(day(-1), 50, 51, 49, 50, 1), // Sun 2023-12-31
      k(day(0), 50, 52, 48, 51, 1), // Mon 2024-01-01
      k(day(1), 51, 55, 50, 54, 1),
      k(day(2), 54, 56, 53, 53, 1),
      k(day(3), 53, 54, 40, 45, 1),
      k(day(4), 45, 47, 44, 46, 1),
      k(day(5), 46, 48, 45, 47, 1),
      k(day(6), 47, 49, 46, 48, 1), // Sun 2024-01-07
      k(day(7), 48, 60, 47, 59, 1), // Mon 2024-01-08: an incomplete week
    ],
    want: [k(day(-7), 50, 51, 49, 50, 1), k(day(0), 50, 56, 40, 48, 7)],
    partial: 1,
  },
  {
    name: "incomplete last bucket is dropped",
    from: "1m",
    to: "5m",
    input: [
      k(m(0), 1, 2, 1, 2, 1),
      k(m(1), 2, 3, 2, 3, 1),
      k(m(2), 3, 4, 3, 4, 1),
      k(m(3), 4, 5, 4, 5, 1),
      k(m(4), 5, 6, 5, 6, 1),
      k(m(5), 6, 7, 6, 7, 1),
      k(m(6), 7, 8, 7, 8, 1),
    ],
    want: [k(m(0), 1, 6, 1, 6, 5)],
    partial: 0,
  },
  {
    name: "complete last bucket is kept",
    from: "1m",
    to: "5m",
    input: [
      k(m(5), 6, 7, 6, 7, 1),
      k(m(6), 7, 8, 7, 8, 1),
      k(m(7), 8, 9, 8, 9, 1),
      k(m(8), 9, 9, 5, 6, 1),
      k(m(9), 6, 7, 6, 7, 2),
    ],
    want: [k(m(5), 6, 9, 5, 7, 6)],
    partial: 0,
  },
  {
    name: "interior gap: bucket built from the children that exist, counted as partial",
    from: "1m",
    to: "5m",
    input: [
      k(m(0), 1, 2, 1, 2, 1),
      k(m(1), 2, 3, 2, 3, 1),
      k(m(3), 4, 5, 4, 5, 1),
      k(m(4), 5, 6, 5, 6, 1),
      k(m(5), 6, 7, 6, 7, 1),
      k(m(6), 7, 8, 7, 8, 1),
      k(m(7), 8, 9, 8, 9, 1),
      k(m(8), 9, 10, 9, 10, 1),
      k(m(9), 10, 11, 10, 11, 1),
    ],
    want: [k(m(0), 1, 6, 1, 6, 4), k(m(5), 6, 11, 6, 11, 5)],
    partial: 1,
  },
  {
    name: "a wholly missing bucket is not emitted and not counted",
    from: "1m",
    to: "2m",
    input: [
      k(m(0), 1, 2, 1, 2, 1),
      k(m(1), 2, 3, 2, 3, 1),
      k(m(4), 5, 6, 5, 6, 1),
      k(m(5), 6, 7, 6, 7, 1),
    ],
    want: [k(m(0), 1, 3, 1, 3, 2), k(m(4), 5, 7, 5, 7, 2)],
    partial: 0,
  },
  {
    name: "same timeframe is the identity",
    from: "1h",
    to: "1h",
    input: [k(hr(0), 1, 2, 1, 2, 1), k(hr(1), 2, 3, 2, 3, 1)],
    want: [k(hr(0), 1, 2, 1, 2, 1), k(hr(1), 2, 3, 2, 3, 1)],
    partial: 0,
  },
  { name: "empty input", from: "1m", to: "1h", input: [], want: [], partial: 0 },
];

for (const row of ROWS) {
  Deno.test(`resample: ${row.name}`, () => {
    const options = row.lastTs === undefined ? undefined : { lastTs: row.lastTs };
    const got = resample(toColumns(row.input), row.from, row.to, options);
    assert.deepEqual(toRows(got.candles), row.want);
    assert.equal(got.partial, row.partial);
  });
}

const FACTORS: [string, string, number | RegExp][] = [
  ["1m", "5m", 5],
  ["1h", "1d", 24],
  ["1d", "1w", 7],
  ["1d", "2w", 14],
  ["2d", "2w", 7],
  ["1w", "4w", 4],
  ["5m", "7m", /Cannot resample 5m candles to 7m: 7m is not a whole multiple of 5m/],
  ["1h", "1m", /Cannot resample 1h candles to 1m/],
  ["2d", "1w", /Cannot resample 2d candles to 1w/],
  ["3d", "3w", /Cannot resample 3d candles to 3w: 3w buckets start at times that are not 3d/],
  ["1m", "1x", /Timeframe "1x" is not valid/],
];

for (const [from, to, want] of FACTORS) {
  Deno.test(`resample: ${from}→${to} ${typeof want === "number" ? `is ×${want}` : "is refused"}`, () => {
    if (typeof want === "number") {
      assert.equal(resampleFactor(from, to), want);
    } else {
      assert.throws(() => resample(toColumns([]), from, to), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, want);
        return true;
      });
    }
  });
}

function assertSameCandles(a: CandleColumns, b: CandleColumns): void {
  for (const f of ["ts", "open", "high", "low", "close"] as const) assert.deepEqual(a[f], b[f], f);
  assert.equal(a.volume.length, b.volume.length);
  for (let i = 0; i < a.volume.length; i++) {
    // Sums in a different order may differ in the last bits.
    assert.ok(Math.abs(a.volume[i] - b.volume[i]) <= 1e-9 * Math.abs(a.volume[i]), `volume ${i}`);
  }
}

Deno.test("resample: synth 1m→1h equals 1m→15m→1h", () => {
  const src = synthCandles({ bars: 50_000, seed: "resample" }); // ends mid-hour
  const direct = resample(src, "1m", "1h");
  const mid = resample(src, "1m", "15m");
  const twoStep = resample(mid.candles, "15m", "1h");
  assert.equal(direct.candles.ts.length, Math.floor(50_000 / 60));
  assert.equal(direct.partial, 0);
  assert.equal(twoStep.partial, 0);
  assertSameCandles(direct.candles, twoStep.candles);
});

Deno.test("resample: one million 1m candles to 1h gives every complete hour", () => {
  const src = synthCandles({ bars: 1_000_000, seed: 2 });
  const out = resample(src, "1m", "1h");
  assert.equal(out.candles.ts.length, Math.floor(1_000_000 / 60));
});
