// CSV import speed: a year of 1-minute candles through `deno task data import`, process start to exit.

import { formatCandleCsv } from "../src/data/csv.ts";
import { synthCandles } from "../src/data/synth.ts";
import type { BenchRow } from "./backtest_bench.ts";

/** Options for {@link benchCsv}; the defaults are the benchmark's figures. */
export interface CsvBenchOptions {
  /** Candles in the file (default 525,600: a year of 1-minute candles). */
  bars?: number;
  /** Timed imports; the median is reported (default 5). */
  runs?: number;
}

/** Runs `deno run -A src/cli/data.ts ...args` and returns what it printed; throws on failure. */
async function cli(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../src/cli/data.ts", import.meta.url).pathname, ...args],
    env: { TZ: "UTC", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`csv bench: data ${args[0]} failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

/**
 * Writes a year of 1-minute candles as CSV (the header we write, epoch ms), then times
 * `src/cli/data.ts import` on it in a child process, from spawning it to its exit, each run into
 * a copy of a migrated database. Goal: at most 1 s. Beside it, `data list` (the start-up every
 * command pays). A second row does the same for a Binance kline dump
 * (no header, 12 columns, open time in microseconds) with the timeframe left to inference.
 *
 * @example
 * ```ts
 * for (const row of await benchCsv({ runs: 1 })) console.log(row.name, row.value, row.unit);
 * ```
 */
export async function benchCsv(options: CsvBenchOptions = {}): Promise<BenchRow[]> {
  const bars = options.bars ?? 525_600;
  const runs = options.runs ?? 5;
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_csv_bench_" });
  try {
    const candles = synthCandles({ bars, timeframe: "1m", seed: "csv-bench" });
    const plain = `${dir}/year_1m.csv`;
    await Deno.writeTextFile(plain, formatCandleCsv(candles));
    const binance = `${dir}/BTCUSDT-1m.csv`;
    const lines: string[] = [];
    for (let i = 0; i < bars; i++) {
      const t = candles.ts[i] * 1000;
      lines.push(
        `${t},${candles.open[i]},${candles.high[i]},${candles.low[i]},${candles.close[i]},` +
          `${candles.volume[i]},${t + 59_999_999},${candles.volume[i] * candles.close[i]},42,` +
          `${candles.volume[i] / 2},${(candles.volume[i] / 2) * candles.close[i]},0`,
      );
    }
    await Deno.writeTextFile(binance, lines.join("\n") + "\n");
    const mb = (f: string) => (Deno.statSync(f).size / 1e6).toFixed(0);
    const rows: BenchRow[] = [];
    // A user imports into the database they have: every run gets a copy of a migrated one.
    const template = `${dir}/template.duckdb`;
    await cli(["list", "--db", template]);
    let run = 0;
    const time = async (args: string[], expect: string) => {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const db = `${dir}/run_${run++}.duckdb`;
        await Deno.copyFile(template, db);
        const t = performance.now();
        const said = await cli([...args, "--db", db]);
        times.push(performance.now() - t);
        if (!said.includes(expect)) throw new Error(`csv bench: ${args[0]} said: ${said}`);
      }
      times.sort((a, b) => a - b);
      return Math.round(times[Math.floor(times.length / 2)]);
    };
    const importArgs = (file: string, ...more: string[]) => [
      "import",
      "--file",
      file,
      "--exchange",
      "bench",
      "--symbol",
      "BTC/USDT",
      ...more,
    ];
    const floor = await time(["list"], "No candles stored yet");
    rows.push({
      name: "data list on an empty database (process start to exit: the floor of any command)",
      value: floor,
      unit: "ms",
      goal: "(reported)",
      met: true,
    });
    const imported = `Imported ${bars} candles`;
    const ms = await time(importArgs(plain, "--timeframe", "1m"), imported);
    rows.push({
      name: `import a year of 1m candles from CSV (${bars.toLocaleString("en-US")} rows, ${
        mb(plain)
      } MB, process start to exit)`,
      value: ms,
      unit: "ms",
      goal: "<= 1000",
      met: ms <= 1000,
    });
    const binanceMs = await time(importArgs(binance), imported);
    rows.push({
      name: `the same as a Binance kline dump (12 columns, us, ${
        mb(binance)
      } MB, timeframe inferred)`,
      value: binanceMs,
      unit: "ms",
      goal: "(reported)",
      met: true,
    });
    return rows;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
