// fmtNum: exactly toPrecision's rounding without float noise, with its shortcut for short numbers.

import assert from "node:assert/strict";
import { fmtNum } from "../../src/core/format.ts";
import { createRng } from "../../src/data/rng.ts";

Deno.test("fmtNum equals String(Number(n.toPrecision(d))) across magnitudes", () => {
  const rng = createRng(7);
  for (let k = 0; k < 20_000; k++) {
    const mag = 10 ** rng.int(-9, 12);
    const raw = (rng.next() - 0.3) * mag;
    for (const n of [raw, Math.round(raw * 100) / 100, Math.round(raw)]) {
      for (const d of [6, 10]) {
        assert.equal(fmtNum(n, d), String(Number(n.toPrecision(d))), `${n} @${d}`);
      }
    }
  }
  assert.equal(fmtNum(0.1 + 0.2), "0.3");
  assert.equal(fmtNum(Infinity), "Infinity");
  assert.equal(fmtNum(NaN), "NaN");
});
