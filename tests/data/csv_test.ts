// Candle CSV files users have, read through DuckDB: one row per layout, one per malformed row
// with its exact line and reason, layout detection, and timeframe inference.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { InputError } from "../../src/core/errors.ts";
import { csvLayout, formatCandleCsv, inferredNote, inferTimeframe } from "../../src/data/csv.ts";
import { readCandleCsvApart } from "../../src/store/candle_csv.ts";
import { makeCandles, tempDir } from "../support.ts";

const T0 = Date.UTC(2024, 0, 1); // 1704067200000
const MIN = 60_000;
const THREE = [T0, T0 + MIN, T0 + 2 * MIN];

/** Three 1-minute candles' OHLCV after the timestamp, as each line of a file carries them. */
const OHLCV = ["100,101,99,100.5,7", "100.5,102,100,101,8.25", "101,101.5,100.25,100.75,0"];

/** Binance kline dump line: open time in `unit` per ms, then the 11 other columns. */
function binance(i: number, perMs: number): string {
  const open = (T0 + i * MIN) * perMs;
  return `${open},${OHLCV[i]},${open + (MIN - 1) * perMs},812.5,42,3.5,350.1,0`;
}

const FORMATS: [string, string][] = [
  [
    "our own header, epoch ms",
    "timestamp,open,high,low,close,volume\n" + OHLCV.map((r, i) => `${THREE[i]},${r}`).join("\n"),
  ],
  [
    "header aliases in odd case and order, extra columns",
    "Symbol,VOLUME,Close,low,HIGH,Open,TimeStamp_MS\n" +
    OHLCV.map((r, i) => {
      const [o, h, l, c, v] = r.split(",");
      return `BTCUSDT,${v},${c},${l},${h},${o},${THREE[i]}`;
    }).join("\n"),
  ],
  [
    "Time alias, epoch seconds",
    "Time,Open,High,Low,Close,Volume\n" +
    OHLCV.map((r, i) => `${THREE[i] / 1000},${r}`).join("\n"),
  ],
  [
    "open_time alias, epoch microseconds",
    "open_time,open,high,low,close,volume\n" +
    OHLCV.map((r, i) => `${THREE[i] * 1000},${r}`).join("\n"),
  ],
  [
    "date alias, epoch nanoseconds",
    "DATE,open,high,low,close,volume\n" +
    OHLCV.map((r, i) => `${THREE[i]}000000,${r}`).join("\n"),
  ],
  [
    "ISO-8601 without offset (UTC), with Z and with an offset",
    "timestamp,open,high,low,close,volume\n" +
    [
      `2024-01-01T00:00:00,${OHLCV[0]}`,
      `2024-01-01 00:01:00Z,${OHLCV[1]}`,
      `2024-01-01T02:02:00+02:00,${OHLCV[2]}`,
    ].join("\n"),
  ],
  [
    "no header",
    OHLCV.map((r, i) => `${THREE[i]},${r}`).join("\n") + "\n",
  ],
  [
    "Binance spot kline dump: no header, 12 columns, ms",
    [0, 1, 2].map((i) => binance(i, 1)).join("\n") + "\n",
  ],
  [
    "Binance spot kline dump from 2025: no header, 12 columns, us",
    [0, 1, 2].map((i) => binance(i, 1000)).join("\n") + "\n",
  ],
  [
    "Binance futures kline dump: its header, 12 columns, ms",
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume," +
    "taker_buy_quote_volume,ignore\n" + [0, 1, 2].map((i) => binance(i, 1)).join("\n"),
  ],
  [
    "TradingView chart export: seconds, Volume, indicator columns with repeated names",
    "time,open,high,low,close,Volume,Plot,Plot,Volume MA\n" +
    OHLCV.map((r, i) => `${THREE[i] / 1000},${r},NaN,1.5,`).join("\n") + "\n",
  ],
  [
    "BOM, CRLF, quotes, semicolons, blank lines between candles and at the end",
    '\uFEFF"Date";"Open";"High";"Low";"Close";"Volume"\r\n' +
    OHLCV.map((r, i) => `"${new Date(THREE[i]).toISOString()}";${r.replaceAll(",", ";")}`)
      .join("\r\n\r\n") +
    "\r\n\r\n",
  ],
];

for (const [name, text] of FORMATS) {
  Deno.test(`CSV layout: ${name}`, async () => {
    await using dir = await tempDir();
    const file = `${dir.path}/in.csv`;
    await Deno.writeTextFile(file, text);
    const { candles } = await readCandleCsvApart(file);
    assert.deepEqual(Array.from(candles.ts), THREE);
    assert.deepEqual(Array.from(candles.open), [100, 100.5, 101]);
    assert.deepEqual(Array.from(candles.high), [101, 102, 101.5]);
    assert.deepEqual(Array.from(candles.low), [99, 100, 100.25]);
    assert.deepEqual(Array.from(candles.close), [100.5, 101, 100.75]);
    assert.deepEqual(Array.from(candles.volume), [7, 8.25, 0]);
  });
}

Deno.test("CSV: daily ISO dates are UTC midnights; written CSV reads back exactly", async () => {
  await using dir = await tempDir();
  const daily = `${dir.path}/d.csv`;
  await Deno.writeTextFile(
    daily,
    "date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,1.5,10\n",
  );
  const d = (await readCandleCsvApart(daily)).candles;
  assert.deepEqual(Array.from(d.ts), [T0, T0 + 86_400_000]);
  const c = makeCandles(1000);
  c.close[3] = 0.1 + 0.2; // needs all 17 digits
  const mine = `${dir.path}/mine.csv`;
  await Deno.writeTextFile(mine, formatCandleCsv(c));
  assert.deepEqual(toRows((await readCandleCsvApart(mine)).candles), toRows(c));
});

const H = "timestamp,open,high,low,close,volume";

const BAD: [string, string, RegExp][] = [
  ["empty file", "", /bad\.csv:1: the file is empty/],
  ["header only", `${H}\n`, /bad\.csv: the file has no candles/],
  [
    "header without volume",
    "time,open,high,low,close\n1704067200000,1,2,0.5,1.5\n",
    /bad\.csv:1: the header "time,open,high,low,close" has no volume column/,
  ],
  [
    "header without a timestamp",
    "when,open,high,low,close,volume\n",
    /bad\.csv:1: .*has no timestamp \(or time, date, open_time, timestamp_ms\.\.\.\) column/,
  ],
  [
    "no header and five fields",
    "1704067200000,1,2,0.5,1.5\n",
    /bad\.csv:1: .*has 5 fields and no header/,
  ],
  [
    "too few fields",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n1704067260000,1,2,0.5,1.5\n`,
    /bad\.csv:3: expected 6 fields as on line 1, found 5 in "1704067260000,1,2,0.5,1.5"/,
  ],
  [
    "too many fields",
    `${H}\n1704067200000,1,2,0.5,1.5,10,9\n`,
    /bad\.csv:2: expected 6 fields as on line 1, found 7/,
  ],
  [
    "not a number, after a blank line",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n\n1704067260000,1,abc,0.5,1.5,10\n`,
    /bad\.csv:4: high "abc" is not a number/,
  ],
  [
    "a line of spaces",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n   \n1704067260000,1,2,0.5,1.5,10\n`,
    /bad\.csv:3: expected 6 fields as on line 1, found 1/,
  ],
  [
    "an unterminated quote",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n1704067260000,"1,2,0.5,1.5,10\n`,
    /bad\.csv:3: Value with unterminated quote found\. Nothing/,
  ],
  [
    "a lone carriage return between lines",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n\r\n1704067260000,1,2,0.5,1.5,10\n`,
    /bad\.csv: DuckDB cannot read it as CSV \(The CSV Parser state machine reached an invalid/,
  ],
  [
    "ISO among epoch times",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n2024-01-01T00:01:00Z,1,2,0.5,1.5,10\n`,
    /bad\.csv:3: timestamp "2024-01-01T00:01:00Z" is not an epoch number like the first/,
  ],
  [
    "not a number without a header",
    `1704067200000,1,2,0.5,1.5,10\n1704067260000,1,2,0.5,1.5,ten\n`,
    /bad\.csv:2: volume \(column 6\) "ten" is not a number/,
  ],
  [
    "bad date",
    `${H}\n2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n2024-13-45T00:00:00Z,1,2,0.5,1.5,10\n`,
    /bad\.csv:3: timestamp "2024-13-45T00:00:00Z" is neither an epoch time .* nor ISO-8601/,
  ],
  [
    "garbage time",
    `Time,open,high,low,close,volume\nyesterday,1,2,0.5,1.5,10\n`,
    /bad\.csv:2: Time "yesterday" is neither/,
  ],
  [
    "empty time",
    `${H}\n2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n\n,1,2,0.5,1.5,10\n`,
    /bad\.csv:4: timestamp is empty/,
  ],
];

for (const [name, text, expected] of BAD) {
  Deno.test(`CSV error: ${name}`, async () => {
    await using dir = await tempDir();
    const file = `${dir.path}/bad.csv`;
    await Deno.writeTextFile(file, text);
    await assert.rejects(() => readCandleCsvApart(file), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, expected);
      assert.match(e.message, /Nothing was imported/);
      return true;
    });
  });
}

Deno.test("CSV layout from the first line: header or not, delimiter, epoch or ISO", () => {
  const tv = csvLayout("time,open,high,low,close,Volume\n1704067200,1,2,0.5,1.5,10\n", "tv.csv");
  assert.deepEqual(
    { header: tv.header, delimiter: tv.delimiter, columns: tv.columns, epoch: tv.epoch },
    { header: true, delimiter: ",", columns: [0, 1, 2, 3, 4, 5], epoch: true },
  );
  const tab = csvLayout("2024-01-01 00:00:00\t1\t2\t0.5\t1.5\t10\n", "t.tsv");
  assert.deepEqual([tab.header, tab.delimiter, tab.epoch], [false, "\t", false]);
  const cdd = csvLayout(
    "unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT\n1704067200,2024-01-01",
    "cdd.csv",
  );
  assert.deepEqual(cdd.columns, [0, 3, 4, 5, 6, 7]);
});

Deno.test("timeframe inference: the most common spacing, gaps and order allowed", () => {
  const m = (...xs: number[]) => Float64Array.from(xs, (x) => T0 + x * MIN);
  assert.equal(inferTimeframe(m(0, 1, 2, 5, 6, 7), "a.csv"), "1m");
  assert.equal(inferTimeframe(m(10, 0, 5, 15, 30), "a.csv"), "5m");
  assert.equal(inferTimeframe(m(0, 60, 120, 240), "a.csv"), "1h");
  assert.equal(
    inferTimeframe(Float64Array.of(T0, T0 + 4 * 86_400_000, T0 + 86_400_000), "a"),
    "1d",
  );
  assert.equal(
    inferredNote("15m"),
    "timeframe 15m inferred from the candle spacing (pass --timeframe to choose)",
  );
});

const IRREGULAR: [string, number[], RegExp][] = [
  ["one candle", [0], /needs at least two candles/],
  [
    "7 minutes apart",
    [0, 7, 14, 21],
    /most often 7m apart, which is no usual timeframe\. Pass --timeframe \(such as --timeframe 7m\)/,
  ],
  ["steps not whole candles", [0, 5, 10, 15, 17, 20], /irregular: most are 5m apart, but 2m/],
];

for (const [name, minutes, expected] of IRREGULAR) {
  Deno.test(`timeframe inference refuses ${name}`, () => {
    const ts = Float64Array.from(minutes, (x) => T0 + x * MIN);
    assert.throws(() => inferTimeframe(ts, "odd.csv"), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^odd\.csv: cannot infer the timeframe: /);
      assert.match(e.message, expected);
      assert.match(e.message, /Pass --timeframe/);
      return true;
    });
  });
}
