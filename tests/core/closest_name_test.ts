// Tests for "did you mean" suggestions: close misspellings found, unrelated words left alone.

import assert from "node:assert/strict";
import { closestName } from "../../src/core/closest_name.ts";

const NAMES = ["bot_id", "strategy", "virtual_balance", "slippage_bps", "risk"];

const CASES: [word: string, expected: string | undefined][] = [
  ["virtual_ballance", "virtual_balance"],
  ["botId", "bot_id"],
  ["BOT_ID", "bot_id"],
  ["stratgey", "strategy"],
  ["slipage_bps", "slippage_bps"],
  ["risks", "risk"],
  ["whatever", undefined],
  ["", undefined],
];

for (const [word, expected] of CASES) {
  Deno.test(`closestName: "${word}" → ${expected ?? "none"}`, () => {
    assert.equal(closestName(word, NAMES), expected);
  });
}
