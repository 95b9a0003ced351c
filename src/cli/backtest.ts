// `deno task backtest`: run a backtest from the store or a CSV, and list/show/delete/export runs.

import { backtest, type BacktestConfig } from "../backtest/run.ts";
import { formatMetrics } from "../backtest/metrics.ts";
import { formatDecisionSummary } from "../core/decision_summary.ts";
import { stallWarning } from "../backtest/stall.ts";
import { isoUtc } from "../core/candles.ts";
import { getStrategy } from "../engine/strategy_registry.ts";
import { ConfigError, InputError } from "../core/errors.ts";
import { loadAlertReplay } from "../service/alert_replay.ts";
import { BacktestStore } from "../store/backtest_store.ts";
import { BotStore } from "../store/bot_store.ts";
import { CandleStore } from "../store/candle_store.ts";
import { Db } from "../store/db.ts";
import { dbPath } from "../store/paths.ts";
import { optional, parseFlags, parseTime, required, runMain } from "./args.ts";
import { csvSeries } from "./backtest_csv.ts";
import { parseKeyValues, resolveSeries, toRunToSave } from "./backtest_support.ts";
import { createProgress } from "./progress.ts";

const RUN_FLAGS = {
  strategy: { type: "string" },
  alerts: { type: "string" },
  params: { type: "string" },
  exchange: { type: "string" },
  symbol: { type: "string" },
  timeframe: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  csv: { type: "string" },
  cash: { type: "string" },
  fee: { type: "string" },
  "slippage-bps": { type: "string" },
  "size-mode": { type: "string" },
  size: { type: "string" },
  "qty-step": { type: "string" },
  leverage: { type: "string" },
  "close-at-end": { type: "boolean" },
  risk: { type: "string" },
  "intrabar-timeframe": { type: "string" },
  "no-store": { type: "boolean" },
  json: { type: "boolean" },
  db: { type: "string" },
} as const;

const USAGE = `Usage:
  deno task backtest --strategy NAME [--params k=v,...] (--symbol S --timeframe TF [--exchange E] | --csv FILE [--timeframe TF])
                     [--alerts BOT|FILE.json|FILE.csv] [--from T] [--to T] [--cash 10000] [--fee 0.001] [--slippage-bps 0]
                     [--size-mode equity|risk] [--size F] [--qty-step Q] [--leverage L]
                     [--close-at-end] [--risk k=v,...] [--intrabar-timeframe TF]
                     [--no-store] [--json] [--db PATH]
  --risk: risk gate settings, e.g. minRewardRisk=3,maxDrawdown=0.2,cooldownMs=3600000
          (see src/risk/config.ts for every setting and its default)
  --alerts: replay alerts with the signals strategy: the alerts a bot was given (its id; its
          market is the default), a file of alert messages (.json, or .csv with a time column),
          or TradingView's exported List of trades (.csv); a bot's run is compared with the bot
  --intrabar-timeframe: stored lower-timeframe candles that decide which of a stop and a
          target touched in one candle filled first (default: the stop)
  deno task backtest list [--json]
  deno task backtest show ID [--json]
  deno task backtest delete ID | --all
  deno task backtest export ID --file OUT.json|OUT.csv   (csv: the trades)`;

function num(flags: Record<string, unknown>, name: string): number | undefined {
  const v = optional(flags as Record<string, string | boolean | undefined>, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`--${name} "${v}" is not a number.`);
  return n;
}

async function withDb<T>(flag: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open(dbPath(flag));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function runCommand(argv: string[]): Promise<number> {
  const cmd = "deno task backtest";
  const f = parseFlags(argv, RUN_FLAGS, cmd);
  const alertsFrom = optional(f, "alerts");
  const strategy = alertsFrom !== undefined
    ? (optional(f, "strategy") ?? "signals")
    : required(f, "strategy", cmd);
  if (alertsFrom !== undefined && strategy !== "signals") {
    throw new ConfigError(
      `--alerts replays alerts with the signals strategy; --strategy "${strategy}" does not take ` +
        "them (leave --strategy out, or give --strategy signals).",
    );
  }
  const sizeMode = optional(f, "size-mode") ?? "equity";
  if (sizeMode !== "equity" && sizeMode !== "risk") {
    throw new ConfigError(`--size-mode "${sizeMode}" must be "equity" or "risk".`);
  }
  const from = optional(f, "from");
  const to = optional(f, "to");
  const range = {
    from: from ? parseTime(from, "from") : undefined,
    to: to ? parseTime(to, "to") : undefined,
  };
  const csv = optional(f, "csv");
  // The strategy's module (and zod's) loads while DuckDB opens the file and reads the candles.
  const loading = getStrategy(strategy);
  loading.catch(() => {}); // awaited below, once the candles are read
  return await withDb(optional(f, "db"), async (db) => {
    const replay = alertsFrom === undefined ? undefined : await loadAlertReplay(alertsFrom, { db });
    let candles;
    let series;
    let lower;
    if (csv) {
      ({ candles, series } = await csvSeries(db, csv, {
        exchange: optional(f, "exchange"),
        symbol: optional(f, "symbol"),
        timeframe: optional(f, "timeframe"),
        ...range,
      }));
    } else {
      const store = new CandleStore(db);
      series = await resolveSeries(store, {
        exchange: optional(f, "exchange") ?? replay?.market?.exchange,
        symbol: optional(f, "symbol") ?? replay?.market?.symbol ?? required(f, "symbol", cmd),
        timeframe: optional(f, "timeframe") ?? replay?.market?.timeframe ??
          required(f, "timeframe", cmd),
      });
      candles = await store.read(series, range);
      const intrabar = optional(f, "intrabar-timeframe");
      if (intrabar) {
        lower = await store.read({ ...series, timeframe: intrabar }, range);
        if (lower.ts.length === 0) {
          throw new InputError(
            `No ${intrabar} candles stored for ${series.exchange} ${series.symbol} (--intrabar-timeframe).`,
          );
        }
      }
    }
    await loading;
    if (candles.ts.length === 0) {
      throw new InputError(
        `No candles for ${series.exchange} ${series.symbol} ${series.timeframe} in that range.`,
      );
    }
    const config: BacktestConfig = {
      strategy,
      params: {
        ...parseKeyValues(optional(f, "params") ?? "", "--params"),
        ...(replay ? { signals: replay.signals } : {}),
      },
      exchange: series.exchange,
      symbol: series.symbol,
      timeframe: series.timeframe,
      cash: num(f, "cash"),
      fee: num(f, "fee"),
      slippageBps: num(f, "slippage-bps"),
      sizeMode,
      size: num(f, "size"),
      qtyStep: num(f, "qty-step"),
      leverage: num(f, "leverage"),
      closeAtEnd: Boolean(f["close-at-end"]),
      risk: parseKeyValues(optional(f, "risk") ?? "", "--risk"),
    };
    const progress = f.json
      ? undefined
      : createProgress({ label: `backtest ${strategy}`, total: candles.ts.length });
    const result = await backtest(config, candles, {
      lower,
      onProgress: (x) => progress?.update(Math.round(x * candles.ts.length)),
    });
    progress?.finish();
    if (!f["no-store"]) await new BacktestStore(db).save(toRunToSave(result));
    if (f.json) {
      const { decisions: _d, ...rest } = result;
      console.log(JSON.stringify(rest));
    } else {
      console.log(
        `${result.strategy} ${result.strategy_version} on ${result.exchange} ${result.symbol} ${result.timeframe}, ` +
          `${isoUtc(result.first_ts!)} .. ${isoUtc(result.last_ts!)} (${result.candles} candles)` +
          (f["no-store"] ? "" : `, run ${result.run_id}`),
      );
      if (replay) console.log(`Alerts: ${replay.from}`);
      console.log(formatMetrics(result.metrics));
      if (replay?.bot) await compareWithBot(db, replay.bot, result);
      console.log("Decisions:");
      for (const line of formatDecisionSummary(result.decision_summary)) console.log(`  ${line}`);
      const stalled = stallWarning(result);
      if (stalled) console.log(`Warning: ${stalled}`);
      if (result.open_position) {
        const p = result.open_position;
        console.log(
          `Open at the end: ${p.side} ${p.qty} @ ${p.entryPrice} (marked to the last close).`,
        );
      }
    }
    return 0;
  });
}

/**
 * What the bot did with its alerts beside what this replay of them did: trades and P&L (the
 * bot traded live candles as they came; the replay trades the stored ones with the same rules).
 */
async function compareWithBot(
  db: Db,
  botId: string,
  result: { trades: readonly { pnl: number }[]; metrics: { final_equity: number } },
): Promise<void> {
  const trades = await new BotStore(db).trades(botId);
  const sum = (ts: readonly { pnl: number }[]) => ts.reduce((a, t) => a + t.pnl, 0);
  const fmt = (n: number) => (n >= 0 ? "+" : "") + n.toFixed(2);
  console.log(
    `Bot ${botId} with the same alerts: ${trades.length} closed trades, P&L ${fmt(sum(trades))}; ` +
      `this replay: ${result.trades.length} trades, P&L ${fmt(sum(result.trades))}.`,
  );
}

/** Runs the backtest CLI with `argv`; returns the exit code. */
export async function backtestMain(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(USAGE);
    return 0;
  }
  const manage = await import("./backtest_manage.ts");
  switch (first) {
    case "list":
      return await manage.listRuns(rest, withDb);
    case "show":
      return await manage.showRun(rest, withDb);
    case "delete":
      return await manage.deleteRuns(rest, withDb);
    case "export":
      return await manage.exportRun(rest, withDb);
    case "run":
      return await runCommand(rest);
    default:
      if (first === undefined) {
        console.log(USAGE);
        return 2;
      }
      return await runCommand(argv);
  }
}

if (import.meta.main) runMain(() => backtestMain(Deno.args));
