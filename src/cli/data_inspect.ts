// `data check` and `data list`: what is stored, and what is wrong with it.

import { isoUtc } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { timeframeMs } from "../core/timeframe.ts";
import { checkCandles, summarizeProblems } from "../data/integrity.ts";
import { readCandleCsvApart } from "../store/candle_csv.ts";
import { optional, parseFlags, required } from "./args.ts";
import { type DataCommand, rangeFlags, seriesFlags } from "./data_command.ts";
import { withStore } from "./open_store.ts";

/** The check command. */
export const checkCommand: DataCommand = {
  summary: "Find gaps, duplicates, off-grid times and bad OHLC (exit code 1 when any)",
  usage:
    "(--exchange E --symbol S --timeframe TF [--from T] [--to T] | --file F.csv --timeframe TF) [--json] [--db PATH]",
  async run(argv) {
    const cmd = "deno task data check";
    const f = parseFlags(argv, {
      exchange: { type: "string" },
      symbol: { type: "string" },
      timeframe: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      file: { type: "string" },
      json: { type: "boolean" },
      db: { type: "string" },
    }, cmd);
    const file = optional(f, "file");
    let subject: string;
    let timeframe: string;
    let candles;
    if (file) {
      timeframe = required(f, "timeframe", cmd);
      timeframeMs(timeframe);
      candles = (await readCandleCsvApart(file)).candles;
      subject = file;
    } else {
      const key = seriesFlags(f, cmd);
      timeframe = key.timeframe;
      subject = `${key.exchange} ${key.symbol} ${key.timeframe}`;
      candles = await withStore(optional(f, "db"), (s) => s.read(key, rangeFlags(f)));
      if (candles.ts.length === 0) {
        throw new ConfigError(`No candles stored for ${subject}; see "deno task data list".`);
      }
    }
    const problems = checkCandles(candles, timeframe);
    if (f.json) {
      console.log(JSON.stringify(
        {
          subject,
          candles: candles.ts.length,
          first: candles.ts[0],
          last: candles.ts[candles.ts.length - 1],
          ok: problems.length === 0,
          summary: summarizeProblems(problems),
          problems: problems.map((p) => ({ ...p, time: isoUtc(p.ts) })),
        },
        null,
        2,
      ));
    } else if (problems.length === 0) {
      console.log(`${subject}: ${candles.ts.length} candles, no problems found.`);
    } else {
      console.log(`${subject}: ${candles.ts.length} candles, ${problems.length} problem(s):`);
      for (const p of problems.slice(0, 50)) {
        console.log(`  ${isoUtc(p.ts)}  ${p.kind}: ${p.detail}`);
      }
      if (problems.length > 50) {
        console.log(`  ... ${problems.length - 50} more (use --json for all)`);
      }
    }
    return problems.length ? 1 : 0;
  },
};

/** The list command. */
export const listCommand: DataCommand = {
  summary: "List stored series: exchange, symbol, timeframe, first, last, count",
  usage: "[--json] [--db PATH]",
  async run(argv) {
    const f = parseFlags(
      argv,
      { json: { type: "boolean" }, db: { type: "string" } },
      "deno task data list",
    );
    const rows = await withStore(optional(f, "db"), (s) => s.list());
    if (f.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      console.log('No candles stored yet. Try "deno task data synth --bars 10000 --seed 1".');
      return 0;
    }
    const table = [["exchange", "symbol", "timeframe", "first", "last", "count"]].concat(
      rows.map((
        r,
      ) => [r.exchange, r.symbol, r.timeframe, isoUtc(r.first), isoUtc(r.last), String(r.count)]),
    );
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    for (const r of table) console.log(r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd());
    return 0;
  },
};
