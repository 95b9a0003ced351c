// CSV parsing: accepted forms, and one row per error with the exact line and reason.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { InputError } from "../../src/core/errors.ts";
import { formatCandleCsv, parseCandleCsv } from "../../src/data/csv.ts";
import { makeCandles } from "../helpers.ts";

const H = "timestamp,open,high,low,close,volume";

Deno.test("CSV accepts ms and ISO timestamps, CRLF, a BOM and trailing blank lines", () => {
  const text = "\uFEFF" + H + "\r\n" +
    "1704067200000,1,2,0.5,1.5,10\r\n" +
    "2024-01-01T00:01:00Z,1.5,2,1,1.2,0\r\n" +
    "2024-01-01T00:02:00,1.2,1.3,1.1,1.25,3\r\n" +
    "2024-01-01 00:03:00+00:00,1.25,1.3,1.2,1.3,4\r\n\r\n";
  const { candles, lines } = parseCandleCsv(text, "a.csv");
  assert.deepEqual(Array.from(candles.ts), [0, 1, 2, 3].map((i) => 1704067200000 + i * 60_000));
  assert.deepEqual(Array.from(lines), [2, 3, 4, 5]);
  assert.equal(candles.close[1], 1.2);
});

Deno.test("CSV written by formatCandleCsv parses back exactly", () => {
  const c = makeCandles(100);
  c.close[3] = 0.1 + 0.2; // needs all 17 digits
  assert.deepEqual(toRows(parseCandleCsv(formatCandleCsv(c), "x").candles), toRows(c));
});

const BAD: [string, string, RegExp][] = [
  ["empty file", "", /bad\.csv:1: the file is empty/],
  ["wrong header", "time,o,h,l,c,v\n", /bad\.csv:1: the header is "time,o,h,l,c,v"/],
  ["too few fields", `${H}\n1704067200000,1,2,0.5,1.5\n`, /bad\.csv:2: expected 6 fields, found 5/],
  [
    "not a number",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n1704067260000,1,abc,0.5,1.5,10\n`,
    /bad\.csv:3: high "abc" is not a finite number/,
  ],
  ["empty value", `${H}\n1704067200000,1,2,,1.5,10\n`, /bad\.csv:2: low "" is not a finite number/],
  [
    "seconds",
    `${H}\n1704067200,1,2,0.5,1.5,10\n`,
    /bad\.csv:2: timestamp "1704067200" looks like seconds/,
  ],
  [
    "bad date",
    `${H}\n2024-13-45T00:00:00Z,1,2,0.5,1.5,10\n`,
    /bad\.csv:2: timestamp .* is not a valid date/,
  ],
  [
    "garbage time",
    `${H}\nyesterday,1,2,0.5,1.5,10\n`,
    /bad\.csv:2: timestamp "yesterday" is neither/,
  ],
  [
    "blank line inside",
    `${H}\n1704067200000,1,2,0.5,1.5,10\n\n1704067260000,1,2,0.5,1.5,10\n`,
    /bad\.csv:3: empty line/,
  ],
];

for (const [name, text, expected] of BAD) {
  Deno.test(`CSV error: ${name}`, () => {
    assert.throws(() => parseCandleCsv(text, "bad.csv"), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, expected);
      assert.match(e.message, /Nothing was imported/);
      return true;
    });
  });
}
