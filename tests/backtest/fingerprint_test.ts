// The data fingerprint: SHA-256 of the six columns' bytes in order, however the columns lie.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fingerprint } from "../../src/backtest/fingerprint.ts";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles } from "../support.ts";

const FIELDS = ["ts", "open", "high", "low", "close", "volume"] as const;

/** The definition, written out: each column's bytes, ts first, volume last. */
function expected(c: CandleColumns): string {
  const h = createHash("sha256");
  for (const f of FIELDS) h.update(new Uint8Array(c[f].buffer, c[f].byteOffset, c[f].byteLength));
  return h.digest("hex");
}

Deno.test("fingerprint: the same SHA-256 for columns apart, in one buffer, or read from the store", async () => {
  const apart = makeCandles(3000);
  const want = expected(apart);
  assert.equal(await fingerprint(apart), want);

  const one = new Float64Array(6 * 3000 + 7); // one buffer, not at its start
  const together = {} as CandleColumns;
  FIELDS.forEach((f, k) => {
    together[f] = one.subarray(7 + k * 3000, 7 + (k + 1) * 3000);
    together[f].set(apart[f]);
  });
  assert.equal(await fingerprint(together), want);

  const swapped = { ...together, open: together.high, high: together.open }; // same buffer, not in order
  assert.equal(await fingerprint(swapped), expected(swapped));
  assert.notEqual(expected(swapped), want);

  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    const key = { exchange: "x", symbol: "A/B", timeframe: "1m" };
    await store.upsert(key, apart);
    assert.equal(await fingerprint(await store.read(key)), want);
  } finally {
    await db.close();
  }
  assert.equal(await fingerprint(allocColumns(0)), expected(allocColumns(0)));
});
