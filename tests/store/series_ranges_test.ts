// The stored series' extents kept in memory: equal to the candles after upserts, deletes and a
// reopen, and answered (with reads) while the write connection is busy.

import assert from "node:assert/strict";
import { CandleStore, type SeriesInfo } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles, tempDir } from "../support.ts";

const BTC = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };
const ETH = { exchange: "okx", symbol: "ETH/USDT", timeframe: "5m" };
const SOL = { exchange: "binance", symbol: "SOL/USDT", timeframe: "1h" };
const T0 = Date.UTC(2024, 0, 1);

/** The extents as the candles give them, by a scan (what list() ran before). */
async function scanned(db: Db): Promise<SeriesInfo[]> {
  const rows = await db.all(`
    SELECT s.exchange, s.symbol, s.timeframe, min(c.ts) AS first, max(c.ts) AS last, count(*) AS n
    FROM candles c JOIN series s ON s.id = c.series_id
    GROUP BY ALL ORDER BY s.exchange, s.symbol, s.timeframe`);
  return rows.map((r) => ({
    exchange: String(r.exchange),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe),
    first: Number(r.first),
    last: Number(r.last),
    count: Number(r.n),
  }));
}

/** Holds the write connection (as a long write does) until `release()`; resolves once held. */
async function holdWrites(db: Db, inside: () => Promise<void> = async () => {}) {
  const held = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  const section = db.transaction(async () => {
    await inside();
    entered.resolve();
    await held.promise;
  });
  await entered.promise;
  return {
    async release() {
      held.resolve();
      await section;
    },
  };
}

Deno.test("the series' extents in memory equal the stored ones after upserts, deletes and a reopen", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/ranges.duckdb`;
  let db = await Db.open(path);
  try {
    const store = new CandleStore(db);
    // Two stores on one database share the extents: what one writes, the other lists.
    const other = new CandleStore(db);
    await store.loadRanges();
    assert.deepEqual(await store.list(), []);
    const steps: [string, () => Promise<unknown>][] = [
      ["a new series", () => store.upsert(BTC, makeCandles(500, T0))],
      ["appended, overlapping", () => store.upsert(BTC, makeCandles(300, T0 + 400 * 60_000))],
      ["back-filled before the first", () => store.upsert(BTC, makeCandles(50, T0 - 50 * 60_000))],
      ["all replaced", () => other.upsert(BTC, makeCandles(100, T0))],
      ["a second series", () => other.upsert(ETH, makeCandles(200, T0, 300_000))],
      ["a third", () => store.upsert(SOL, makeCandles(24, T0, 3_600_000))],
      ["a middle range deleted", () => store.delete(BTC, { from: T0, to: T0 + 60 * 60_000 })],
      ["the first candles deleted", () => other.delete(BTC, { to: T0 - 10 * 60_000 })],
      ["the last candles deleted", () => store.delete(BTC, { from: T0 + 650 * 60_000 })],
      ["nothing deleted", () => store.delete(ETH, { from: T0 - 1e9, to: T0 - 1e8 })],
      ["a whole series deleted", () => store.delete(SOL)],
      ["it comes back", () => store.upsert(SOL, makeCandles(3, T0 + 1e9, 3_600_000))],
      ["a table imported", async () => {
        await db.run(`CREATE TEMP TABLE imp AS SELECT (${T0} + range * 300000)::BIGINT AS ts,
          1.0::DOUBLE AS open, 2.0::DOUBLE AS high, 0.5::DOUBLE AS low, 1.5::DOUBLE AS close,
          3.0::DOUBLE AS volume FROM range(150, 260)`);
        await store.upsertTable(ETH, "imp", {
          count: 110,
          first: T0 + 150 * 300_000,
          last: T0 + 259 * 300_000,
        });
      }],
    ];
    for (const [what, step] of steps) {
      await step();
      const want = await scanned(db);
      assert.deepEqual(await store.list(), want, `list() after ${what}`);
      assert.deepEqual(await other.list(), want, `another store's list() after ${what}`);
      for (const s of want) {
        const { first, last, count } = s;
        assert.deepEqual(await store.bounds(s), { first, last, count }, `bounds() after ${what}`);
      }
    }
    const before = await store.list();
    await db.close();
    db = await Db.open(path);
    assert.deepEqual(await new CandleStore(db).list(), before, "after a reopen");
    assert.deepEqual(before, await scanned(db));
  } finally {
    await db.close();
  }
});

Deno.test("a series with no candles left has no extent; a failed upsert changes none", async () => {
  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    await store.upsert(BTC, makeCandles(10, T0));
    await store.delete(BTC);
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.bounds(BTC), undefined);
    await store.upsert(ETH, makeCandles(10, T0));
    // A table without the candle columns: the insert fails and the transaction rolls back.
    await db.run("CREATE TABLE no_volume (ts BIGINT, open DOUBLE)");
    await assert.rejects(() =>
      store.upsertTable(ETH, "no_volume", { count: 1, first: T0, last: T0 })
    );
    assert.deepEqual(await store.list(), await scanned(db));
  } finally {
    await db.close();
  }
});

Deno.test("the series listing and a series' bounds answer while a write holds the connection", async () => {
  const db = await Db.open(":memory:");
  const store = new CandleStore(db);
  await store.loadRanges(); // as the service does at start
  await store.upsert(BTC, makeCandles(100, T0));
  const want = await scanned(db);
  // A write in progress, uncommitted; before, list() and bounds() queued behind it for good.
  const write = await holdWrites(db, () => db.run("DELETE FROM candles"));
  try {
    assert.deepEqual(await store.list(), want);
    assert.deepEqual(await store.bounds(BTC), { first: T0, last: T0 + 99 * 60_000, count: 100 });
  } finally {
    await write.release();
    await db.close();
  }
});

Deno.test("candle reads on the read connection answer while a write holds the database, with what was committed", async () => {
  const db = await Db.open(":memory:");
  const writer = new CandleStore(db);
  const store = new CandleStore(db, { readConnection: true });
  await writer.upsert(BTC, makeCandles(100, T0));
  const write = await holdWrites(db, async () => {
    await db.run("DELETE FROM candles WHERE ts >= ?", [BigInt(T0 + 50 * 60_000)]);
  });
  try {
    assert.equal((await store.read(BTC)).ts.length, 100, "the uncommitted delete is not seen");
  } finally {
    await write.release();
  }
  try {
    assert.equal((await store.read(BTC)).ts.length, 50, "and is once committed");
  } finally {
    await db.close();
  }
});

Deno.test("closing waits for reads and writes in flight on both connections", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/close.duckdb`);
  const store = new CandleStore(db);
  const reader = new CandleStore(db, { readConnection: true });
  await store.upsert(BTC, makeCandles(20_000, T0));
  const work = [
    reader.read(BTC),
    store.upsert(ETH, makeCandles(20_000, T0)),
    db.read("SELECT count(*) AS n FROM candles a, range(20) b"),
    store.read(BTC),
  ];
  const closed = db.close();
  const [a, written, [counted], b] = await Promise.all(work) as [
    { ts: Float64Array },
    { written: number },
    { n: bigint }[],
    { ts: Float64Array },
  ];
  await closed;
  assert.equal(a.ts.length, 20_000);
  assert.equal(b.ts.length, 20_000);
  assert.equal(written.written, 20_000);
  assert.ok(Number(counted.n) >= 400_000);
  await assert.rejects(() => db.read("SELECT 1"), /closed/);
  await assert.rejects(() => store.read(BTC), /closed/);
  await assert.rejects(() => reader.read(BTC), /closed/);
});
