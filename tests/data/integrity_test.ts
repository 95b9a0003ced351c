// Tests for checkCandles: one table row per rule, tiny inputs, exact expected problems.

import assert from "node:assert/strict";
import { type Candle, toColumns } from "../../src/core/candles.ts";
import { checkCandles, type Problem, summarizeProblems } from "../../src/data/integrity.ts";
import { k } from "../support.ts";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1); // Monday 2024-01-01T00:00Z
const m = (n: number) => T0 + n * MIN;
const iso = (ts: number) => new Date(ts).toISOString();

/** A sound candle at `ts` with close `c` (open 10, high and low around both). */
function ok(ts: number, c = 10): Candle {
  return { ts, open: 10, high: Math.max(10, c) + 1, low: Math.min(10, c) - 1, close: c, volume: 1 };
}

interface Row {
  name: string;
  timeframe?: string;
  input: Candle[];
  want: Problem[];
}

const ROWS: Row[] = [
  {
    name: "clean input (zero volume is fine)",
    input: [ok(m(0)), ok(m(1), 11), k(m(2), 11, 11, 11, 11, 0)],
    want: [],
  },
  { name: "empty input", input: [], want: [] },
  {
    name: "gap of several candles",
    input: [ok(m(0)), ok(m(1)), ok(m(4)), ok(m(5))],
    want: [{
      kind: "gap",
      ts: m(2),
      detail: `2 missing 1m candles from ${iso(m(2))} to ${iso(m(3))}`,
      missing: 2,
    }],
  },
  {
    name: "gap of one candle",
    input: [ok(m(0)), ok(m(2))],
    want: [{ kind: "gap", ts: m(1), detail: `1 missing 1m candle at ${iso(m(1))}`, missing: 1 }],
  },
  {
    name: "duplicate in order",
    input: [ok(m(0)), ok(m(1)), ok(m(1)), ok(m(2))],
    want: [{ kind: "duplicate", ts: m(1), detail: `${iso(m(1))} appears more than once` }],
  },
  {
    name: "duplicate out of order is a duplicate, not unordered",
    input: [ok(m(0)), ok(m(1)), ok(m(2)), ok(m(1))],
    want: [{ kind: "duplicate", ts: m(1), detail: `${iso(m(1))} appears more than once` }],
  },
  {
    name: "off grid",
    input: [ok(m(0)), ok(m(0) + 30_000), ok(m(1))],
    want: [{
      kind: "off_grid",
      ts: m(0) + 30_000,
      detail: `2024-01-01T00:00:30.000Z is not on the 1m grid (boundary before: ${iso(m(0))})`,
    }],
  },
  {
    name: "off the Monday grid for weekly candles",
    timeframe: "1w",
    input: [ok(T0), ok(T0 + 6 * DAY)],
    want: [{
      kind: "off_grid",
      ts: T0 + 6 * DAY,
      detail: `2024-01-07T00:00:00.000Z is not on the 1w grid (boundary before: ${iso(T0)})`,
    }],
  },
  {
    name: "unordered rows (no gap reported where a later row fills it)",
    input: [ok(m(0)), ok(m(2)), ok(m(1)), ok(m(3))],
    want: [{
      kind: "unordered",
      ts: m(1),
      detail: `${iso(m(1))} comes after the later ${iso(m(2))}; rows must be in time order`,
    }],
  },
  {
    name: "unordered rows with a real gap: gaps measured on sorted times",
    input: [ok(m(3)), ok(m(0)), ok(m(1))],
    want: [
      {
        kind: "unordered",
        ts: m(0),
        detail: `${iso(m(0))} comes after the later ${iso(m(3))}; rows must be in time order`,
      },
      {
        kind: "unordered",
        ts: m(1),
        detail: `${iso(m(1))} comes after the later ${iso(m(3))}; rows must be in time order`,
      },
      { kind: "gap", ts: m(2), detail: `1 missing 1m candle at ${iso(m(2))}`, missing: 1 },
    ],
  },
  {
    name: "high below open or close",
    input: [k(m(0), 10, 9.5, 9, 9.8, 1)],
    want: [{
      kind: "high_below_open_close",
      ts: m(0),
      detail: `high 9.5 is below open 10 or close 9.8 at ${iso(m(0))}`,
    }],
  },
  {
    name: "low above open or close",
    input: [k(m(0), 10, 11, 10.5, 10.8, 1)],
    want: [{
      kind: "low_above_open_close",
      ts: m(0),
      detail: `low 10.5 is above open 10 or close 10.8 at ${iso(m(0))}`,
    }],
  },
  {
    name: "high below low (always with one of the open/close rules)",
    input: [k(m(0), 10, 9, 11, 10, 1)],
    want: [
      {
        kind: "high_below_open_close",
        ts: m(0),
        detail: `high 9 is below open 10 or close 10 at ${iso(m(0))}`,
      },
      {
        kind: "low_above_open_close",
        ts: m(0),
        detail: `low 11 is above open 10 or close 10 at ${iso(m(0))}`,
      },
      { kind: "high_below_low", ts: m(0), detail: `high 9 is below low 11 at ${iso(m(0))}` },
    ],
  },
  {
    name: "non-positive prices",
    input: [k(m(0), 0, 1, -1, 0.5, 1)],
    want: [{
      kind: "non_positive",
      ts: m(0),
      detail: `not positive: open 0, low -1 at ${iso(m(0))}`,
    }],
  },
  {
    name: "NaN and Infinity",
    input: [k(m(0), NaN, 1, 1, 1, Infinity)],
    want: [{
      kind: "not_finite",
      ts: m(0),
      detail: `not a finite number: open NaN, volume Infinity at ${iso(m(0))}`,
    }],
  },
  {
    name: "non-finite time: reported, left out of the order checks",
    input: [ok(m(0)), ok(NaN), ok(m(1))],
    want: [{ kind: "not_finite", ts: NaN, detail: "not a finite number: ts NaN" }],
  },
  {
    name: "negative volume",
    input: [k(m(0), 10, 11, 9, 10, -2.5)],
    want: [{
      kind: "negative_volume",
      ts: m(0),
      detail: `volume -2.5 is negative at ${iso(m(0))}`,
    }],
  },
];

for (const row of ROWS) {
  Deno.test(`checkCandles: ${row.name}`, () => {
    assert.deepEqual(checkCandles(toColumns(row.input), row.timeframe ?? "1m"), row.want);
  });
}

Deno.test("checkCandles: problems come sorted by time, across rules", () => {
  const got = checkCandles(
    toColumns([ok(m(0)), k(m(1), 10, 11, 9, 10, -1), ok(m(3)), ok(m(3))]),
    "1m",
  );
  assert.deepEqual(got.map((p) => [p.kind, p.ts]), [
    ["negative_volume", m(1)],
    ["gap", m(2)],
    ["duplicate", m(3)],
  ]);
});

Deno.test("summarizeProblems: counts per kind, zero for absent kinds", () => {
  const problems = checkCandles(
    toColumns([ok(m(0)), ok(m(0)), ok(m(3)), k(m(4), 10, 11, 9, 10, -1), ok(m(6))]),
    "1m",
  );
  assert.deepEqual(summarizeProblems(problems), {
    gap: 2,
    duplicate: 1,
    off_grid: 0,
    unordered: 0,
    high_below_open_close: 0,
    low_above_open_close: 0,
    high_below_low: 0,
    non_positive: 0,
    not_finite: 0,
    negative_volume: 1,
  });
  assert.equal(summarizeProblems([]).gap, 0);
});
