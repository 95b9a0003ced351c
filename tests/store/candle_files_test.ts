// Candle files: CSV and Parquet round trips, and imports that fail whole with the line and reason.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { InputError } from "../../src/core/errors.ts";
import { formatCandleCsv } from "../../src/data/csv.ts";
import { exportCandles, importCandles } from "../../src/store/candle_files.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles, tempDir } from "../support.ts";

const KEY = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };

async function withStore(fn: (store: CandleStore, dir: string) => Promise<void>) {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/t.duckdb`);
  try {
    await fn(new CandleStore(db), dir.path);
  } finally {
    await db.close();
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
      assert.deepEqual(res, {
        written: 800,
        replaced: 0,
        gaps: [],
        timeframe: "1m",
        inferred: false,
      });
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
  ["an empty price", (l) => (l[4] = "1704067380000,100,101,,100,1"), /bad\.csv:5: .*low NaN/],
  [
    "a bad row after blank lines",
    (l) => (l.splice(3, 0, "", ""), l[8] = "1704067500000,100,101,99,100.5,1,7"),
    /bad\.csv:9: expected 6 fields as on line 1, found 7/,
  ],
  [
    "a bad value after blank lines",
    (l) => (l.splice(3, 0, "", ""), l[8] = "1704067500000,100,99,98,99,1"),
    /bad\.csv:9: .*high_below_open_close/,
  ],
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

Deno.test("import without a timeframe infers it; rows in any order; Binance us dump", () =>
  withStore(async (store, dir) => {
    const c = makeCandles(30, Date.UTC(2025, 0, 1), 300_000);
    const lines = [];
    for (let i = 29; i >= 0; i--) {
      const us = c.ts[i] * 1000;
      lines.push(
        `${us},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]},` +
          `${us + 299_999_999},1000.5,12,3.25,300.75,0`,
      );
    }
    const file = `${dir}/BTCUSDT-5m-2025-01.csv`;
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const key = { exchange: "binance", symbol: "BTC/USDT" };
    const res = await importCandles(store, key, file);
    assert.deepEqual(
      [res.written, res.timeframe, res.inferred, res.gaps.length],
      [30, "5m", true, 0],
    );
    assert.deepEqual(toRows(await store.read({ ...key, timeframe: "5m" })), toRows(c));
  }));

Deno.test("an irregular file is refused when the timeframe is to be inferred; nothing stored", () =>
  withStore(async (store, dir) => {
    const file = `${dir}/odd.csv`;
    await Deno.writeTextFile(
      file,
      "time,open,high,low,close,volume\n" +
        [0, 7, 14, 21].map((m) => `${1704067200 + m * 60},1,2,0.5,1.5,10`).join("\n"),
    );
    await assert.rejects(
      () => importCandles(store, { exchange: "x", symbol: "Y" }, file),
      /odd\.csv: cannot infer the timeframe: the candles are most often 7m apart.*--timeframe/,
    );
    assert.deepEqual(await store.list(), []);
  }));

Deno.test("importing a file again replaces its candles, and only those", () =>
  withStore(async (store, dir) => {
    const c = makeCandles(50);
    await store.upsert(KEY, c);
    const file = `${dir}/again.csv`;
    const part = makeCandles(10, c.ts[45]); // 5 stored times, 5 new ones
    part.volume.fill(99);
    await Deno.writeTextFile(file, formatCandleCsv(part));
    const res = await importCandles(store, KEY, file);
    assert.deepEqual([res.written, res.replaced], [10, 5]);
    const rows = toRows(await store.read(KEY));
    assert.equal(rows.length, 55);
    assert.deepEqual(rows.slice(0, 45), toRows(c).slice(0, 45));
    assert.deepEqual(rows.slice(45), toRows(part));
  }));
