// `data synth` and `data resample`: candles made from a seed, or from a finer timeframe.

import { isoUtc } from "../core/candles.ts";
import { parseTimeframes } from "../core/timeframe.ts";
import { resample } from "../data/resample.ts";
import { synthCandles } from "../data/synth.ts";
import { optional, parseCount, parseFlags, parseTime, required } from "./args.ts";
import { type DataCommand, seriesFlags } from "./data_command.ts";
import { withStore } from "./open_store.ts";

/** The synth command. */
export const synthCommand: DataCommand = {
  summary: "Make a seeded synthetic market (trends, chop, bursts, gaps) and store it",
  usage:
    "--symbol SYN/USDT --timeframe 1m --bars N --seed S [--exchange synthetic] [--start 2024-01-01] [--price 30000] [--db PATH]",
  async run(argv) {
    const cmd = "deno task data synth";
    const f = parseFlags(argv, {
      exchange: { type: "string", default: "synthetic" },
      symbol: { type: "string", default: "SYN/USDT" },
      timeframe: { type: "string", default: "1m" },
      bars: { type: "string" },
      seed: { type: "string" },
      start: { type: "string" },
      price: { type: "string" },
      db: { type: "string" },
    }, cmd);
    const key = seriesFlags(f, cmd);
    const bars = parseCount(required(f, "bars", cmd), "bars");
    const seedText = required(f, "seed", cmd);
    const seed = /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
    const start = optional(f, "start");
    const price = optional(f, "price");
    const candles = synthCandles({
      bars,
      seed,
      timeframe: key.timeframe,
      start: start ? parseTime(start, "start") : undefined,
      startPrice: price ? Number(price) : undefined,
    });
    return await withStore(optional(f, "db"), async (store) => {
      const res = await store.upsert(key, candles);
      console.log(
        `Stored ${res.written} synthetic candles as ${key.exchange} ${key.symbol} ${key.timeframe}: ` +
          `${isoUtc(candles.ts[0])} .. ${isoUtc(candles.ts[bars - 1])} (seed ${seedText}).`,
      );
      return 0;
    });
  },
};

/** The resample command. */
export const resampleCommand: DataCommand = {
  summary: "Aggregate a stored series to coarser timeframes on UTC boundaries",
  usage:
    "--exchange E --symbol S --timeframe 1m --to 5m,15m,1h,4h,1d [--from T] [--until T] [--db PATH]\n" +
    "An incomplete last bucket is left out; it appears once its last candle is stored.",
  async run(argv) {
    const cmd = "deno task data resample";
    const f = parseFlags(argv, {
      exchange: { type: "string" },
      symbol: { type: "string" },
      timeframe: { type: "string" },
      to: { type: "string" },
      from: { type: "string" },
      until: { type: "string" },
      db: { type: "string" },
    }, cmd);
    const key = seriesFlags(f, cmd);
    const targets = parseTimeframes(required(f, "to", cmd));
    const from = optional(f, "from");
    const until = optional(f, "until");
    const range = {
      from: from ? parseTime(from, "from") : undefined,
      to: until ? parseTime(until, "until") : undefined,
    };
    return await withStore(optional(f, "db"), async (store) => {
      const src = await store.read(key, range);
      if (src.ts.length === 0) {
        console.error(
          `No candles stored for ${key.exchange} ${key.symbol} ${key.timeframe}; see "deno task data list".`,
        );
        return 1;
      }
      for (const to of targets) {
        const { candles, partial } = resample(src, key.timeframe, to);
        const res = await store.upsert({ ...key, timeframe: to }, candles);
        console.log(
          `${key.timeframe} -> ${to}: ${res.written} candles` +
            (partial ? ` (${partial} built from incomplete data: the source has gaps)` : ""),
        );
      }
      return 0;
    });
  },
};
