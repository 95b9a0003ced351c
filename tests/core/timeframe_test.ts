// Timeframe lengths, UTC grid flooring (weeks on Mondays) and clear errors.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import {
  floorToTimeframe,
  isOnGrid,
  parseTimeframes,
  timeframeMs,
} from "../../src/core/timeframe.ts";

const T = Date.UTC(2024, 0, 3, 13, 47, 12, 5); // Wednesday

const ROWS: [string, number, number][] = [
  ["1m", 60_000, Date.UTC(2024, 0, 3, 13, 47)],
  ["5m", 300_000, Date.UTC(2024, 0, 3, 13, 45)],
  ["1h", 3_600_000, Date.UTC(2024, 0, 3, 13)],
  ["4h", 14_400_000, Date.UTC(2024, 0, 3, 12)],
  ["1d", 86_400_000, Date.UTC(2024, 0, 3)],
  ["1w", 604_800_000, Date.UTC(2024, 0, 1)], // Monday
];

for (const [tf, ms, floor] of ROWS) {
  Deno.test(`timeframe ${tf}: length and floor`, () => {
    assert.equal(timeframeMs(tf), ms);
    assert.equal(floorToTimeframe(T, tf), floor);
    assert.ok(isOnGrid(floor, tf));
    assert.ok(!isOnGrid(floor + 1, tf));
  });
}

Deno.test("bad timeframes are refused with the value quoted", () => {
  for (const bad of ["", "1", "m", "0m", "1M", "1y", "1.5h", " 1m"]) {
    assert.throws(
      () => timeframeMs(bad),
      (e: unknown) => e instanceof ConfigError && e.message.includes(`"${bad}"`),
    );
  }
  assert.deepEqual(parseTimeframes("5m, 1h,1d"), ["5m", "1h", "1d"]);
  assert.throws(() => parseTimeframes("5m,7x"), /"7x"/);
});
