// Tests for position timeouts: due exactly at entry + positionTimeoutMs, never without a timeout.

import assert from "node:assert/strict";
import { RiskGate } from "../../src/risk/gate.ts";
import { timedOut } from "../../src/risk/position_timeout.ts";
import { HOUR, pos, T0 } from "./support.ts";

Deno.test("timedOut: boundaries", () => {
  const p = pos({ entryTs: T0 });
  const config = { positionTimeoutMs: 4 * HOUR };
  const rows: [number, boolean][] = [
    [T0, false],
    [T0 + 4 * HOUR - 1, false],
    [T0 + 4 * HOUR, true],
    [T0 + 5 * HOUR, true],
  ];
  for (const [ts, want] of rows) assert.equal(timedOut(p, ts, config), want, `at ${ts - T0}`);
  assert.equal(timedOut(p, T0 + 100 * HOUR, {}), false, "no timeout configured");
});

Deno.test("timedOut: the gate answers with its own config", () => {
  const gate = new RiskGate({ positionTimeoutMs: HOUR });
  assert.equal(gate.timedOut(pos({ entryTs: T0 }), T0 + HOUR), true);
  assert.equal(new RiskGate().timedOut(pos({ entryTs: T0 }), T0 + HOUR), false);
});
