// IdSet: the simulated broker's set of client ids, including ids whose hashes collide.

import assert from "node:assert/strict";
import { IdSet } from "../../src/sim/id_set.ts";

Deno.test("IdSet holds each id once, past its first growth", () => {
  const ids = new IdSet();
  for (let i = 0; i < 5000; i++) {
    assert.equal(ids.add(`bt-X/USDT-${1_700_000_000_000 + i}-open`), true);
  }
  assert.equal(ids.size, 5000);
  for (let i = 0; i < 5000; i++) {
    const id = ["bt-X/USDT-", 1_700_000_000_000 + i, "-open"].join("");
    assert.equal(ids.has(id), true, id);
    assert.equal(ids.add(id), false);
  }
  assert.equal(ids.has("bt-X/USDT-1700000005000-open"), false);
  assert.equal(ids.size, 5000);
});

Deno.test("IdSet tells apart different ids with the same hash", () => {
  const ids = new IdSet();
  assert.equal(ids.add("a", 7), true);
  assert.equal(ids.add("b", 7), true);
  assert.equal(ids.has("a", 7), true);
  assert.equal(ids.has("b", 7), true);
  assert.equal(ids.has("c", 7), false);
  assert.equal(ids.add("b", 7), false);
  assert.equal(ids.add("c", 7), true);
  assert.equal(ids.has("c", 7), true);
  assert.equal(ids.size, 3);
});

Deno.test("IdSet tells apart ids whose hashes share the slot bits but not the top bits", () => {
  const ids = new IdSet();
  const a = 5;
  const b = 5 | (1 << 30);
  const c = 5 | (3 << 29) | (1 << 31); // negative as an int32
  assert.equal(ids.add("a", a), true);
  assert.equal(ids.add("b", b), true);
  assert.equal(ids.add("c", c), true);
  assert.equal(ids.has("a", a), true);
  assert.equal(ids.has("b", b), true);
  assert.equal(ids.has("c", c), true);
  assert.equal(ids.has("b", a), false); // the slot of a, another id
  assert.equal(ids.has("d", 5 | (2 << 29)), false);
  // and after the table has grown (rebuilt from the hashes kept by position)
  for (let k = 0; k < 3000; k++) ids.add(`x${k}`, Math.imul(k, 0x9e3779b1));
  assert.equal(ids.has("x2999", Math.imul(2999, 0x9e3779b1)), true);
  assert.equal(ids.has("a", a) && ids.has("b", b) && ids.has("c", c), true);
  assert.equal(ids.add("b", b), false);
  assert.equal(ids.size, 3003);
});
