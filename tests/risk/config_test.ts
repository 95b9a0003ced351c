// Tests for the risk config schema: defaults per sizing mode and the errors of bad configs.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { parseRiskConfig } from "../../src/risk/config.ts";

Deno.test("config: equity mode defaults", () => {
  assert.deepEqual(parseRiskConfig({}), {
    sizeMode: "equity",
    size: 1,
    maxLeverage: 1,
    maxOpenPositions: 1,
    minConfidence: 0,
    requireStop: false,
  });
});

Deno.test("config: risk mode defaults to 1 % risk and a required stop", () => {
  const c = parseRiskConfig({ sizeMode: "risk" });
  assert.equal(c.size, 0.01);
  assert.equal(c.requireStop, true);
});

Deno.test("config: a parsed config parses to itself", () => {
  const c = parseRiskConfig({ sizeMode: "risk", size: 0.02, maxDrawdown: 0.2, cooldownMs: 60_000 });
  assert.deepEqual(parseRiskConfig(c), c);
});

const BAD: [string, unknown, RegExp][] = [
  ["misspelt key", { maxDrawDown: 0.1 }, /maxDrawDown/],
  [
    "risk above 100 %",
    { sizeMode: "risk", size: 2 },
    /^Risk config is invalid: size: in risk mode/,
  ],
  [
    "risk without required stop",
    { sizeMode: "risk", requireStop: false },
    /requireStop: risk sizing/,
  ],
  ["zero daily loss limit", { dailyLossLimit: 0 }, /dailyLossLimit: /],
  ["fractional position count", { maxOpenPositions: 1.5 }, /maxOpenPositions: /],
  ["unknown mode", { sizeMode: "kelly" }, /sizeMode: /],
];

for (const [name, input, message] of BAD) {
  Deno.test(`config: ${name} is a ConfigError`, () => {
    assert.throws(() => parseRiskConfig(input), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      return true;
    });
  });
}
