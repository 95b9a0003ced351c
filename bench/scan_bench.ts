// Scanner speed: 300 symbols x 3 timeframes ranked from cached candles in a temp DuckDB file.

import { resample } from "../src/data/resample.ts";
import { synthCandles } from "../src/data/synth.ts";
import { scan } from "../src/scanner/scan.ts";
import { CandleStore } from "../src/store/candle_store.ts";
import { Db } from "../src/store/db.ts";
import type { BenchRow } from "./backtest_bench.ts";

/** Options for {@link benchScan}; the defaults are the benchmark's figures. */
export interface ScanBenchOptions {
  /** Symbols to store and scan (default 300). */
  symbols?: number;
  /** Candles per window (default 200). */
  window?: number;
  /** Timed scans; the median is reported (default 3). */
  runs?: number;
}

const TIMEFRAMES = ["1h", "4h", "1d"];
const START = Date.UTC(2023, 0, 1);

/**
 * Fills a temp DuckDB with synthetic 1h candles (and 4h and 1d resampled from them) for
 * `symbols` symbols, then times `scan` cached-only: reading every window from the store (and the
 * 1h candles behind the 1d realised volatility), computing every metric and ranking. Goal: the
 * 300 x 3 scan in under 2 s.
 *
 * @example
 * ```ts
 * for (const row of await benchScan()) console.log(row.name, row.value, row.unit, row.met);
 * ```
 */
export async function benchScan(options: ScanBenchOptions = {}): Promise<BenchRow[]> {
  const symbols = options.symbols ?? 300;
  const window = options.window ?? 200;
  const runs = options.runs ?? 3;
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_scan_bench_" });
  const db = await Db.open(`${dir}/scan.duckdb`);
  try {
    const store = new CandleStore(db);
    const hours = window * 24; // a 1d window of `window` days
    for (let s = 0; s < symbols; s++) {
      const symbol = `S${String(s).padStart(3, "0")}/USDT`;
      const hourly = synthCandles({
        bars: hours,
        timeframe: "1h",
        seed: symbol,
        start: START,
        annualVol: 0.3 + (s % 17) * 0.1,
        dailyVolume: 1000 * (1 + (s % 23)),
        startPrice: 1 + (s % 50) * 7,
      });
      for (const tf of TIMEFRAMES) {
        const candles = tf === "1h" ? hourly : resample(hourly, "1h", tf).candles;
        await store.upsert({ exchange: "okx", symbol, timeframe: tf }, candles);
      }
    }
    const times: number[] = [];
    let rows = 0;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const res = await scan({
        exchange: "okx",
        store,
        timeframes: TIMEFRAMES,
        window,
        fetchMissing: false,
      });
      times.push(performance.now() - t);
      rows = res.rows.length;
      if (res.skipped.length) {
        throw new Error(`scan bench skipped ${res.skipped.length}: ${res.skipped[0].reason}`);
      }
    }
    if (rows !== symbols * TIMEFRAMES.length) {
      throw new Error(`scan bench ranked ${rows} rows, expected ${symbols * TIMEFRAMES.length}`);
    }
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    const full = symbols === 300;
    return [{
      name: `scan ${symbols} symbols x ${TIMEFRAMES.length} timeframes (cached, ${window} candles)`,
      value: Math.round(ms),
      unit: "ms",
      goal: full ? "< 2,000" : "(reported)",
      met: full ? ms < 2000 : true,
    }];
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const r of await benchScan()) {
    console.log(`${r.name}: ${r.value} ${r.unit} (goal ${r.goal}, ${r.met ? "met" : "NOT met"})`);
  }
}
