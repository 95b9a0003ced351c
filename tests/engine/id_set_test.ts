// IdSet: the simulated broker's set of client ids, including ids whose hashes collide.

import assert from "node:assert/strict";
import { IdSet } from "../../src/engine/id_set.ts";

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
