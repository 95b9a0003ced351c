// `deno task walkforward`: optimise in-sample, test out-of-sample, window after window.

import { isoUtc } from "../core/candles.ts";
import { ConfigError, InputError } from "../core/errors.ts";
import { walkForward } from "../optimize/walk_forward.ts";
import { CandleStore } from "../store/candle_store.ts";
import { Db } from "../store/db.ts";
import { dbPath } from "../store/paths.ts";
import { optional, parseCount, parseFlags, parseTime, required, runMain } from "./args.ts";
import { resolveSeries } from "./backtest_support.ts";
import { newStudyOptions, RUN_FLAGS, workerCount } from "./optimize_flags.ts";
import { createProgress } from "./progress.ts";

const CMD = "deno task walkforward";
const { study: _s, resume: _r, ...OPT_FLAGS } = RUN_FLAGS;
const FLAGS = {
  ...OPT_FLAGS,
  "in-sample": { type: "string" },
  "out-of-sample": { type: "string" },
  mode: { type: "string" },
} as const;

const USAGE = `Usage:
  ${CMD} --strategy NAME --symbol S --timeframe TF --in-sample N --out-of-sample M
      [--mode rolling|anchored] [--exchange E] [--from T] [--to T]
      and the optimiser's flags (see deno task optimize --help): --sampler, --trials (per window),
      --objective, --min-trades, --seed, --workers, --space, --fix, --fee, ... [--json] [--db PATH]
  N and M are candle counts: each window optimises on N candles, then tests the best
  parameters on the next M; windows step forward by M.`;

/** Runs the walk-forward CLI with `argv`; returns the exit code. */
export async function walkForwardMain(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const f = parseFlags(argv, FLAGS, CMD);
  const mode = optional(f, "mode") ?? "rolling";
  if (mode !== "rolling" && mode !== "anchored") {
    throw new ConfigError(`--mode "${mode}" must be "rolling" or "anchored".`);
  }
  const options = newStudyOptions(f);
  const from = optional(f, "from");
  const to = optional(f, "to");
  const db = await Db.open(dbPath(optional(f, "db")));
  let series, candles;
  try {
    const store = new CandleStore(db);
    series = await resolveSeries(store, {
      exchange: optional(f, "exchange"),
      symbol: required(f, "symbol", CMD),
      timeframe: required(f, "timeframe", CMD),
    });
    candles = await store.read(series, {
      from: from ? parseTime(from, "from") : undefined,
      to: to ? parseTime(to, "to") : undefined,
    });
  } finally {
    await db.close();
  }
  if (candles.ts.length === 0) {
    throw new InputError(`No candles for ${series.symbol} ${series.timeframe} in that range.`);
  }
  const progress = f.json
    ? undefined
    : createProgress({ label: `walk-forward ${options.strategy}`, total: 0, unit: "windows" });
  const result = await walkForward({
    ...options,
    candles,
    symbol: series.symbol,
    timeframe: series.timeframe,
    exchange: series.exchange,
    workers: optional(f, "workers") ? workerCount(optional(f, "workers")!) : undefined,
    windows: {
      inSample: parseCount(required(f, "in-sample", CMD), "in-sample"),
      outOfSample: parseCount(required(f, "out-of-sample", CMD), "out-of-sample"),
      mode,
    },
    onWindow: (done, total) => (progress?.setTotal(total), progress?.update(done)),
  });
  progress?.finish();
  if (f.json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  const v = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
  const rows = [[
    "window",
    "out-of-sample",
    "in-sample value",
    "out-of-sample value",
    "parameters",
  ]];
  for (const w of result.windows) {
    const params = Object.entries(w.params).filter(([k]) => k !== "direction").map(([k, x]) =>
      `${k}=${x}`
    );
    rows.push([
      String(w.index + 1),
      `${isoUtc(w.outOfSample.from).slice(0, 16)} .. ${isoUtc(w.outOfSample.to).slice(0, 16)}`,
      v(w.inSample.value),
      v(w.outOfSample.value),
      params.join(" "),
    ]);
  }
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((x, c) => x.padEnd(width[c])).join("  ").trimEnd());
  const last = result.stitched.equity.at(-1);
  console.log(
    `\nMean ${options.objective}: in-sample ${v(result.meanInSample)}, out-of-sample ${
      v(result.meanOutOfSample)
    }; ` +
      `walk-forward efficiency ${
        v(result.efficiency)
      } (out-of-sample / in-sample; well below 1 suggests overfitting).`,
  );
  if (last !== undefined) {
    console.log(`Stitched out-of-sample equity: ${v(last)} from ${result.stitched.equity[0]}.`);
  }
  for (const [k, s] of Object.entries(result.stability)) {
    console.log(
      `  ${k}: ${s.values.join(", ")}` +
        (s.cv !== undefined
          ? ` (coefficient of variation ${s.cv === null ? "n/a" : s.cv.toFixed(2)})`
          : ""),
    );
  }
  return 0;
}

if (import.meta.main) runMain(() => walkForwardMain(Deno.args));
