// fmtNum: exactly toPrecision's rounding without float noise, with its shortcut for short numbers.

import assert from "node:assert/strict";
import { fmtNum, roundSignificant } from "../../src/core/format.ts";
import { createRng } from "../../src/data/rng.ts";

const reference = (n: number, d: number) => String(Number(n.toPrecision(d)));

Deno.test("fmtNum equals String(Number(n.toPrecision(d))) across magnitudes", () => {
  const rng = createRng(7);
  for (let k = 0; k < 20_000; k++) {
    const mag = 10 ** rng.int(-9, 12);
    const raw = (rng.next() - 0.3) * mag;
    for (const n of [raw, Math.round(raw * 100) / 100, Math.round(raw)]) {
      for (const d of [6, 10]) {
        assert.equal(fmtNum(n, d), reference(n, d), `${n} @${d}`);
      }
    }
  }
  assert.equal(fmtNum(0.1 + 0.2), "0.3");
  assert.equal(fmtNum(Infinity), "Infinity");
  assert.equal(fmtNum(-Infinity), "-Infinity");
  assert.equal(fmtNum(NaN), "NaN");
  assert.equal(fmtNum(0), "0");
  assert.equal(fmtNum(-0), "0");
});

Deno.test("fmtNum matches the reference for every digit count, at the edges of plain notation", () => {
  const rng = createRng(11);
  for (let k = 0; k < 20_000; k++) {
    const e = rng.int(-25, 25);
    const n = (rng.next() * 9 + 1) * 10 ** e * (rng.next() < 0.5 ? -1 : 1);
    const d = rng.int(1, 17);
    assert.equal(fmtNum(n, d), reference(n, d), `${n} @${d}`);
  }
  const edges = [
    1e21,
    9.999999999e20,
    1e-6,
    9.99999e-7,
    1e-7,
    0.000001234,
    123456789012345,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 53,
    9.9999999995,
    0.99999999999,
    1.5,
    2.5,
    1234567.5,
    42_000.1,
    10_000,
    1e15,
    5e-324,
    Number.MAX_VALUE,
  ];
  for (const n of edges) {
    for (let d = 1; d <= 16; d++) {
      assert.equal(fmtNum(n, d), reference(n, d), `${n} @${d}`);
      assert.equal(fmtNum(-n, d), reference(-n, d), `${-n} @${d}`);
      assert.equal(roundSignificant(n, d), Number(n.toPrecision(d)), `round ${n} @${d}`);
    }
  }
});
