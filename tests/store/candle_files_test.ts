// Candle files: CSV and Parquet round trips, and imports that fail whole with the line and reason.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { InputError } from "../../src/core/errors.ts";
import { formatCandleCsv } from "../../src/data/csv.ts";
import { exportCandles, importCandles } from "../../src/store/candle_files.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles, tempDir } from "../helpers.ts";

const KEY = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };

async function withStore(fn: (store: CandleStore, dir: string) => Promise<void>) {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/t.duckdb`);
  try {
    await fn(new CandleStore(db), dir.path);
  } finally {
    db.close();
  }
}

for (const ext of ["csv", "parquet"]) {
  Deno.test(`${ext}: export a range then import it into another series, exactly`, () =>
    withStore(async (store, dir) => {
      const c = makeCandles(1000);
      c.close[7] = 0.1 + 0.2;
      await store.upsert(KEY, c);
      const file = `${dir}/out.${ext}`;
      const n = await exportCandles(store, KEY, file, { from: c.ts[100], to: c.ts[900] });
      assert.equal(n, 800);
      const other = { ...KEY, exchange: "copy" };
      const res = await importCandles(store, other, file);
      assert.deepEqual(res, { written: 800, replaced: 0, gaps: [] });
      assert.deepEqual(
        toRows(await store.read(other)),
        toRows(await store.read(KEY, { from: c.ts[100], to: c.ts[900] })),
      );
    }));
}

const BAD_ROWS: [string, (lines: string[]) => void, RegExp][] = [
  [
    "high below open/close",
    (l) => (l[3] = "1704067320000,100,99,98,99.5,1"),
    /bad\.csv:4: .*high_below_open_close/,
  ],
  ["off the 1m grid", (l) => (l[5] = "1704067441000,100,101,99,100,1"), /bad\.csv:6: .*off_grid/],
  ["duplicate time", (l) => (l[6] = l[5]), /bad\.csv:7: .*duplicate/],
  ["negative price", (l) => (l[2] = "1704067260000,-1,101,-2,100,1"), /bad\.csv:3: .*non_positive/],
  [
    "negative volume",
    (l) => (l[9] = "1704067680000,100,101,99,100,-5"),
    /bad\.csv:10: .*negative_volume/,
  ],
];

for (const [name, spoil, expected] of BAD_ROWS) {
  Deno.test(`import refuses a file with ${name}, naming the line, and keeps what was stored`, () =>
    withStore(async (store, dir) => {
      const before = makeCandles(5, Date.UTC(2023, 0, 1));
      await store.upsert(KEY, before);
      const lines = formatCandleCsv(makeCandles(20)).split("\n");
      spoil(lines);
      const file = `${dir}/bad.csv`;
      await Deno.writeTextFile(file, lines.join("\n"));
      await assert.rejects(() => importCandles(store, KEY, file), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.match(e.message, expected);
        assert.match(e.message, /Nothing was imported/);
        return true;
      });
      assert.deepEqual(toRows(await store.read(KEY)), toRows(before));
    }));
}

Deno.test("import reports gaps in the file but keeps the candles; unknown files are named", () =>
  withStore(async (store, dir) => {
    const c = makeCandles(10);
    const lines = formatCandleCsv(c).split("\n");
    lines.splice(4, 3); // candles 3..5 missing
    const file = `${dir}/gappy.csv`;
    await Deno.writeTextFile(file, lines.join("\n"));
    const res = await importCandles(store, KEY, file);
    assert.equal(res.written, 7);
    assert.equal(res.gaps.length, 1);
    assert.equal(res.gaps[0].ts, c.ts[3]);
    assert.equal(res.gaps[0].missing, 3);
    await assert.rejects(
      () => importCandles(store, KEY, `${dir}/nope.csv`),
      /File ".*nope\.csv" does not exist/,
    );
    await assert.rejects(() => importCandles(store, KEY, `${dir}/x.txt`), /Cannot tell the format/);
  }));
