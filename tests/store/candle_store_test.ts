// Tests for the DuckDB candle store: upsert, range reads, listing, migrations, persistence.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { CandleStore, sortedUnique } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { migrate, MIGRATIONS } from "../../src/store/migrations.ts";
import { makeCandles, tempDir } from "../support.ts";

const KEY = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };

Deno.test("upsert then read returns the same candles in order", async () => {
  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    const c = makeCandles(5000);
    assert.deepEqual(await store.upsert(KEY, c), { written: 5000, replaced: 0 });
    const back = await store.read(KEY);
    assert.deepEqual(toRows(back), toRows(c));
  } finally {
    await db.close();
  }
});

Deno.test("upsert replaces candles with the same open time and keeps the others", async () => {
  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    await store.upsert(KEY, makeCandles(10));
    const later = makeCandles(10, Date.UTC(2024, 0, 1, 0, 5));
    for (let i = 0; i < 10; i++) {
      later.close[i] =
        later.open[i] =
        later.high[i] =
        later.low[i] =
          500;
    }
    const res = await store.upsert(KEY, later);
    assert.deepEqual(res, { written: 10, replaced: 5 });
    const back = await store.read(KEY);
    assert.equal(back.ts.length, 15);
    assert.equal(back.close[4], makeCandles(10).close[4]);
    assert.equal(back.close[5], 500);
    const [{ n }] = await db.all(
      "SELECT count(*) AS n FROM (SELECT DISTINCT series_id, ts FROM candles)",
    );
    assert.equal(Number(n), 15);
  } finally {
    await db.close();
  }
});

Deno.test("within one upsert the last candle for an open time wins, order does not matter", () => {
  const c = makeCandles(4);
  const shuffled = {
    ts: Float64Array.from([c.ts[2], c.ts[0], c.ts[2], c.ts[1]]),
    open: Float64Array.from([1, 2, 3, 4]),
    high: Float64Array.from([1, 2, 3, 4]),
    low: Float64Array.from([1, 2, 3, 4]),
    close: Float64Array.from([1, 2, 3, 4]),
    volume: Float64Array.from([1, 2, 3, 4]),
  };
  const u = sortedUnique(shuffled);
  assert.deepEqual(Array.from(u.ts), [c.ts[0], c.ts[1], c.ts[2]]);
  assert.deepEqual(Array.from(u.close), [2, 4, 3]);
});

Deno.test("read honours from (inclusive) and to (exclusive); series are separate", async () => {
  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    const c = makeCandles(100);
    await store.upsert(KEY, c);
    await store.upsert({ ...KEY, timeframe: "5m" }, makeCandles(3, c.ts[0], 300_000));
    const r = await store.read(KEY, { from: c.ts[10], to: c.ts[20] });
    assert.deepEqual(Array.from(r.ts), Array.from(c.ts.subarray(10, 20)));
    assert.equal((await store.read({ ...KEY, symbol: "ETH/USDT" })).ts.length, 0);
    assert.deepEqual(await store.bounds(KEY), { first: c.ts[0], last: c.ts[99], count: 100 });
    const list = await store.list();
    assert.deepEqual(list.map((s) => [s.timeframe, s.count]), [["1m", 100], ["5m", 3]]);
    assert.equal(await store.delete(KEY, { from: c.ts[50] }), 50);
    assert.equal((await store.bounds(KEY))!.last, c.ts[49]);
  } finally {
    await db.close();
  }
});

Deno.test("a file database keeps candles across reopen and migrations run once", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/sub/t.duckdb`;
  let db = await Db.open(path);
  await new CandleStore(db).upsert(KEY, makeCandles(50));
  await db.close();
  db = await Db.open(path);
  try {
    assert.deepEqual(await migrate(db), []);
    const rows = await db.all("SELECT version, name FROM schema_migrations ORDER BY version");
    assert.deepEqual(rows.map((r) => Number(r.version)), MIGRATIONS.map((m) => m.version));
    assert.equal((await new CandleStore(db).read(KEY)).ts.length, 50);
    const [view] = await db.all("SELECT count(*) AS n FROM candles_view WHERE symbol = 'BTC/USDT'");
    assert.equal(Number(view.n), 50);
  } finally {
    await db.close();
  }
});

Deno.test("a failing upsert rolls back: replaced candles are still there", async () => {
  const db = await Db.open(":memory:");
  try {
    // A CHECK constraint makes the INSERT fail after the DELETE of the overlapping candles ran.
    await db.run("DROP VIEW candles_view");
    await db.run("DROP TABLE candles");
    await db.run(`CREATE TABLE candles (series_id INTEGER, ts BIGINT, open DOUBLE, high DOUBLE,
      low DOUBLE, close DOUBLE CHECK (close < 1000), volume DOUBLE)`);
    const store = new CandleStore(db);
    const good = makeCandles(10);
    await store.upsert(KEY, good);
    const bad = makeCandles(10);
    bad.close[9] = 5000;
    await assert.rejects(() => store.upsert(KEY, bad), /CHECK constraint/i);
    assert.deepEqual(toRows(await store.read(KEY)), toRows(good));
  } finally {
    await db.close();
  }
});

Deno.test("candles stored out of time order (a back-fill) read back in time order", async () => {
  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    const all = makeCandles(6000);
    const part = (from: number, to: number) => ({
      ts: all.ts.slice(from, to),
      open: all.open.slice(from, to),
      high: all.high.slice(from, to),
      low: all.low.slice(from, to),
      close: all.close.slice(from, to),
      volume: all.volume.slice(from, to),
    });
    await store.upsert(KEY, part(3000, 6000)); // the newer half first, then the older one
    await store.upsert(KEY, part(0, 3000));
    assert.deepEqual(toRows(await store.read(KEY)), toRows(all));
    const range = await store.read(KEY, { from: all.ts[2500], to: all.ts[3500] });
    assert.deepEqual(toRows(range), toRows(part(2500, 3500)));
  } finally {
    await db.close();
  }
});
