// The latency window's summary: percentiles of the samples kept, the same when asked again, and
// new after each sample (status answers ask for it far more often than samples arrive).

import assert from "node:assert/strict";
import { LatencyWindow } from "../../src/service/latency.ts";

Deno.test("a latency summary follows its samples, asked once or many times", () => {
  const w = new LatencyWindow(4);
  assert.equal(w.summary(), null);
  for (const x of [5, 1, 3]) w.add(x);
  assert.deepEqual(w.summary(), { n: 3, p50: 3, p99: 5, max: 5 });
  const first = w.summary()!;
  first.max = 1_000; // a caller changing its answer changes no later one
  assert.deepEqual(w.summary(), { n: 3, p50: 3, p99: 5, max: 5 });
  w.add(10);
  assert.deepEqual(w.summary(), { n: 4, p50: 5, p99: 10, max: 10 });
  w.add(0.5); // the window keeps 4: the 5 goes
  assert.deepEqual(w.summary(), { n: 4, p50: 3, p99: 10, max: 10 });
});
