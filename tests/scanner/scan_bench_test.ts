// Smoke test for the scan benchmark: a small store, one run, one reported row.

import assert from "node:assert/strict";
import { benchScan } from "../../bench/scan_bench.ts";

Deno.test("benchScan ranks every stored series and reports a time", async () => {
  const rows = await benchScan({ symbols: 4, window: 30, runs: 1 });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].name, "scan 4 symbols x 3 timeframes (cached, 30 candles)");
  assert.equal(rows[0].unit, "ms");
  assert.ok(Number.isFinite(rows[0].value) && rows[0].value >= 0);
});
