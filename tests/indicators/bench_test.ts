// Smoke test for the indicator benchmark: it runs on a small series and reports every kernel.

import assert from "node:assert/strict";
import { benchIndicators } from "../../bench/indicators_bench.ts";

Deno.test("benchIndicators reports a positive rate for every kernel", async () => {
  const rows = await benchIndicators({ n: 2000, runs: 1 });
  assert.ok(rows.length >= 17);
  for (const row of rows) {
    assert.ok(row.name.startsWith("indicator "), row.name);
    assert.ok(Number.isFinite(row.value) && row.value > 0, `${row.name}: ${row.value}`);
    assert.ok(row.unit === "elements/s" || row.unit === "updates/s", row.unit);
  }
});
