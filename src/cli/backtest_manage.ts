// `backtest list|show|delete|export`: managing stored runs.

import { formatDecisionSummary } from "../core/decision_summary.ts";
import { formatMetrics, type Metrics } from "../backtest/metrics.ts";
import { isoUtc } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { BacktestStore } from "../store/backtest_store.ts";
import type { Db } from "../store/db.ts";
import { optional, parseFlags } from "./args.ts";

type WithDb = <T>(flag: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

function idAndFlags(argv: string[], spec: Parameters<typeof parseFlags>[1], cmd: string) {
  const id = argv[0] && !argv[0].startsWith("--") ? argv[0] : undefined;
  const flags = parseFlags(id ? argv.slice(1) : argv, spec, cmd);
  return { id, flags };
}

function notFound(id: string): never {
  throw new ConfigError(
    `No backtest run "${id}"; "deno task backtest list" shows the stored runs.`,
  );
}

/** `backtest list`. */
export async function listRuns(argv: string[], withDb: WithDb): Promise<number> {
  const f = parseFlags(
    argv,
    { json: { type: "boolean" }, db: { type: "string" } },
    "deno task backtest list",
  );
  const runs = await withDb(optional(f, "db"), (db) => new BacktestStore(db).list());
  if (f.json) console.log(JSON.stringify(runs, null, 2));
  else if (runs.length === 0) console.log("No stored backtest runs.");
  else {
    const rows = [["id", "created", "strategy", "symbol", "tf", "candles", "trades", "return"]]
      .concat(
        runs.map((r) => [
          r.id,
          r.created_at,
          `${r.strategy}@${r.strategy_version}`,
          r.symbol,
          r.timeframe,
          String(r.candles),
          String(r.trades),
          r.total_return === null ? "n/a" : `${(r.total_return * 100).toFixed(2)}%`,
        ]),
      );
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) console.log(r.map((v, c) => v.padEnd(w[c])).join("  ").trimEnd());
  }
  return 0;
}

/** `backtest show ID`. */
export async function showRun(argv: string[], withDb: WithDb): Promise<number> {
  const { id, flags } = idAndFlags(
    argv,
    { json: { type: "boolean" }, db: { type: "string" } },
    "deno task backtest show",
  );
  if (!id) throw new ConfigError(`"deno task backtest show" needs a run id.`);
  const run = await withDb(optional(flags, "db"), (db) => new BacktestStore(db).get(id));
  if (!run) notFound(id);
  if (flags.json) console.log(JSON.stringify(run, null, 2));
  else {
    console.log(
      `run ${run.id}: ${run.strategy}@${run.strategy_version} ${run.exchange} ${run.symbol} ${run.timeframe}`,
    );
    console.log(
      `data ${run.first_ts === null ? "-" : isoUtc(run.first_ts)} .. ${
        run.last_ts === null ? "-" : isoUtc(run.last_ts)
      } (${run.candles} candles, sha256 ${run.data_fingerprint.slice(0, 12)}…)`,
    );
    console.log(`config ${JSON.stringify(run.config)}`);
    console.log(formatMetrics(run.metrics as unknown as Metrics));
    console.log("Decisions:");
    for (const line of formatDecisionSummary(run.decision_summary)) console.log(`  ${line}`);
    for (const t of run.trades.slice(0, 20)) {
      console.log(
        `  ${isoUtc(t.entry_ts)} -> ${
          isoUtc(t.exit_ts)
        } ${t.side} ${t.qty} @ ${t.entry_price} -> ${t.exit_price} ` +
          `pnl ${t.pnl.toFixed(2)} (${t.exit_reason})`,
      );
    }
    if (run.trades.length > 20) {
      console.log(`  ... ${run.trades.length - 20} more trades (--json for all)`);
    }
  }
  return 0;
}

/** `backtest delete ID` or `backtest delete --all`. */
export async function deleteRuns(argv: string[], withDb: WithDb): Promise<number> {
  const { id, flags } = idAndFlags(
    argv,
    { all: { type: "boolean" }, db: { type: "string" } },
    "deno task backtest delete",
  );
  if (!id && !flags.all) {
    throw new ConfigError(`"deno task backtest delete" needs a run id, or --all.`);
  }
  const n = await withDb(optional(flags, "db"), (db) => new BacktestStore(db).delete(id));
  if (id && n === 0) notFound(id);
  console.log(`Deleted ${n} run${n === 1 ? "" : "s"}.`);
  return 0;
}

/** `backtest export ID --file OUT.json|OUT.csv`. */
export async function exportRun(argv: string[], withDb: WithDb): Promise<number> {
  const { id, flags } = idAndFlags(
    argv,
    { file: { type: "string" }, db: { type: "string" } },
    "deno task backtest export",
  );
  const file = optional(flags, "file");
  if (!id || !file) {
    throw new ConfigError(
      `"deno task backtest export" needs a run id and --file OUT.json|OUT.csv.`,
    );
  }
  const run = await withDb(
    optional(flags, "db"),
    (db) => new BacktestStore(db).get(id, { equity: true }),
  );
  if (!run) notFound(id);
  if (file.toLowerCase().endsWith(".csv")) {
    const head =
      "symbol,side,entry_ts,exit_ts,qty,entry_price,exit_price,fees,funding,pnl,exit_reason";
    const lines = run.trades.map((t) =>
      [
        t.symbol,
        t.side,
        t.entry_ts,
        t.exit_ts,
        t.qty,
        t.entry_price,
        t.exit_price,
        t.fees,
        t.funding,
        t.pnl,
        t.exit_reason,
      ]
        .join(",")
    );
    await Deno.writeTextFile(file, [head, ...lines, ""].join("\n"));
  } else {
    await Deno.writeTextFile(file, JSON.stringify(run) + "\n");
  }
  console.log(`Wrote run ${id} to ${file}.`);
  return 0;
}
