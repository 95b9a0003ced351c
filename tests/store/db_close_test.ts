// Closing a database while statements, appenders or streams run waits for them (it crashed).

import assert from "node:assert/strict";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles, tempDir } from "../support.ts";

const KEY = { exchange: "test", symbol: "BTC/USDT", timeframe: "1m" };

// Before the fix, DuckDB's connection was closed under the running queries and the whole test
// process died with a segmentation fault (exit 139) on the first round.
Deno.test("closing a database with queries, an appender and a stream in flight finishes them first", async () => {
  await using dir = await tempDir();
  for (let round = 0; round < 3; round++) {
    const db = await Db.open(`${dir.path}/busy${round}.duckdb`);
    await db.run("CREATE TABLE t AS SELECT range AS i FROM range(300000)");
    const candles = new CandleStore(db);
    // Each in one exclusive section, queued before the close: an appender into the stage
    // table, a stream read chunk by chunk, and plain queries.
    const inFlight = Promise.withResolvers<void>();
    const work = [
      db.exclusive(async () => {
        const reader = db.conn.runAndReadAll(
          "SELECT sum(i * i) AS s, count(*) AS n FROM t, range(3)",
        );
        inFlight.resolve(); // DuckDB is running it now
        return (await reader).getRowObjectsJS();
      }),
      db.exclusive(() => candles.upsert(KEY, makeCandles(5000))),
      db.exclusive(() => candles.read(KEY)),
      db.all("SELECT count(*) AS n FROM t a JOIN t b USING (i)"),
    ];
    await inFlight.promise;
    const closed = db.close();
    const [sum, written, read, joined] = await Promise.all(work);
    await closed;
    assert.equal(Number((sum as { n: bigint }[])[0].n), 900_000);
    assert.deepEqual(written, { written: 5000, replaced: 0 });
    assert.equal((read as { ts: Float64Array }).ts.length, 5000);
    assert.equal(Number((joined as { n: bigint }[])[0].n), 300_000);
  }
});

Deno.test("a closed database refuses new work with its path, and the file opens again", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/closed.duckdb`;
  const db = await Db.open(path);
  await db.run("CREATE TABLE t (x INTEGER)");
  await db.run("INSERT INTO t VALUES (1), (2)");
  const pending = db.all("SELECT count(*) AS n FROM t");
  const closing = db.close();
  assert.equal(db.close(), closing, "closing twice is one close");
  await assert.rejects(() => db.all("SELECT 1"), (err: Error) => {
    assert.match(err.message, /closed/);
    assert.ok(err.message.includes(path), err.message);
    return true;
  });
  assert.equal(Number((await pending)[0].n), 2);
  await closing;
  const again = await Db.open(path);
  try {
    assert.equal(Number((await again.all("SELECT count(*) AS n FROM t"))[0].n), 2);
  } finally {
    await again.close();
  }
});

Deno.test("closing from inside a statement of the same database is refused, not a deadlock", async () => {
  const db = await Db.open(":memory:");
  try {
    await assert.rejects(
      () => db.exclusive(async () => await db.close()),
      /cannot be closed from inside its own statement/,
    );
  } finally {
    await db.close();
  }
});
