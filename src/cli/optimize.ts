// `deno task optimize`: optimise a strategy on stored candles (resumable studies), list and show studies.

import { ConfigError, InputError } from "../core/errors.ts";
import { OBJECTIVES } from "../optimize/objective.ts";
import { optimize, resumeOptions } from "../optimize/optimize.ts";
import { formatRun, formatStudy, formatStudyList } from "../optimize/report.ts";
import { compareStudies, listStudies, showStudy } from "../optimize/studies.ts";
import { type StudyRecord, StudyStore } from "../optimize/study_store.ts";
import type { TrialState } from "../optimize/types.ts";
import { CandleStore } from "../store/candle_store.ts";
import { Db } from "../store/db.ts";
import { dbPath } from "../store/paths.ts";
import { optional, parseCount, parseFlags, parseTime, required, runMain } from "./args.ts";
import { resolveSeries } from "./backtest_support.ts";
import { createProgress } from "./progress.ts";
import { newStudyOptions, RUN_FLAGS, workerCount } from "./optimize_flags.ts";

const CMD = "deno task optimize";
const USAGE = `Usage:
  ${CMD} --strategy NAME --symbol S --timeframe TF [--exchange E] [--from T] [--to T]
      [--sampler tpe|random|grid] [--trials 200] [--objective ${OBJECTIVES.join("|")}]
      [--lambda 1] [--min-trades N] [--max-drawdown F] [--seed 1] [--workers N] [--batch 8]
      [--prune] [--steps 5] [--space k=lo..hi[:step][:log],k=a|b] [--fix k=v,...]
      [--cash 10000] [--fee 0.001] [--slippage-bps 0] [--size-mode equity|risk] [--size F]
      [--leverage L] [--risk k=v,...] [--study NAME] [--json] [--db PATH]
  ${CMD} --study NAME --resume [--trials N] [--workers N] [--json] [--db PATH]
  ${CMD} list [--json] [--db PATH]
  ${CMD} show STUDY [STUDY ...] [--top 10] [--json] [--db PATH]
  --trials is the study's total; --batch trials are proposed together (results depend on the
  seed and batch, never on --workers); --prune stops trials trailing the median at 25 % and 50 %.
  Ctrl-C stops a run; every finished trial is stored and --resume continues it.`;

async function freeName(store: StudyStore, base: string): Promise<string> {
  let name = base;
  for (let k = 2; await store.get(name); k++) name = `${base}-${k}`;
  return name;
}

async function runCommand(argv: string[]): Promise<number> {
  const f = parseFlags(argv, RUN_FLAGS, CMD);
  const db = await Db.open(dbPath(optional(f, "db")));
  const controller = new AbortController();
  const onSigint = () => controller.abort(new InputError("Interrupted."));
  try {
    const studies = new StudyStore(db);
    const studyFlag = optional(f, "study");
    let stored: StudyRecord | undefined;
    if (f.resume) {
      if (!studyFlag) {
        throw new ConfigError(`--resume needs --study NAME ("${CMD} list" shows them).`);
      }
      stored = await studies.get(studyFlag);
      if (!stored) {
        throw new ConfigError(
          `No study "${studyFlag}" to resume; "${CMD} list" shows the stored ones.`,
        );
      }
    }
    const series = stored
      ? { exchange: stored.exchange, symbol: stored.symbol, timeframe: stored.timeframe }
      : await resolveSeries(new CandleStore(db), {
        exchange: optional(f, "exchange"),
        symbol: required(f, "symbol", CMD),
        timeframe: required(f, "timeframe", CMD),
      });
    const range = stored?.config.range ?? {
      from: optional(f, "from") ? parseTime(optional(f, "from")!, "from") : undefined,
      to: optional(f, "to") ? parseTime(optional(f, "to")!, "to") : undefined,
    };
    const candles = await new CandleStore(db).read(series, range);
    if (candles.ts.length === 0) {
      throw new InputError(
        `No candles for ${series.exchange} ${series.symbol} ${series.timeframe} in that range.`,
      );
    }
    const base = stored
      ? {
        ...resumeOptions(stored),
        trials: optional(f, "trials")
          ? parseCount(optional(f, "trials")!, "trials")
          : stored.config.trials,
      }
      : newStudyOptions(f);
    const name = stored?.name ?? studyFlag ??
      await freeName(
        studies,
        `${base.strategy}-${
          series.symbol.replace("/", "")
        }-${series.timeframe}-${base.sampler}-${base.objective}-s${base.seed}`,
      );
    const progress = f.json
      ? undefined
      : createProgress({ label: `optimize ${base.strategy}`, total: 0, unit: "trials" });
    Deno.addSignalListener("SIGINT", onSigint);
    const result = await optimize({
      ...base,
      candles,
      exchange: series.exchange,
      symbol: series.symbol,
      timeframe: series.timeframe,
      workers: optional(f, "workers") !== undefined
        ? workerCount(optional(f, "workers")!)
        : undefined,
      store: { db, study: name, resume: Boolean(f.resume), range },
      signal: controller.signal,
      onProgress: (p) => {
        progress?.setTotal(p.total - p.startedWith);
        const best = p.best
          ? `best ${Number(p.best.value.toPrecision(4))} (#${p.best.number})`
          : "";
        progress?.update(p.done - p.startedWith, best);
      },
    }).catch((err) => {
      if (!controller.signal.aborted) throw err;
      progress?.finish("interrupted");
      throw new InputError(
        `Interrupted; the finished trials are stored. Continue with: ${CMD} --study ${name} --resume` +
          (optional(f, "db") ? ` --db ${optional(f, "db")}` : ""),
      );
    });
    progress?.finish();
    const counts: Record<TrialState, number> = { complete: 0, pruned: 0, invalid: 0, failed: 0 };
    for (const t of result.trials) counts[t.state]++;
    const top = result.trials.filter((t) => Number.isFinite(t.score)).sort((a, b) =>
      b.score - a.score || a.number - b.number
    ).slice(0, 10);
    if (f.json) {
      const { study, best, exhausted } = result;
      console.log(JSON.stringify({ study, counts, exhausted, best, top }));
    } else console.log(formatRun(result.study!, counts, top, result.best, result.exhausted));
    return 0;
  } finally {
    try {
      Deno.removeSignalListener("SIGINT", onSigint);
    } catch { /* never added */ }
    await db.close();
  }
}

async function withDb<T>(flag: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open(dbPath(flag));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Runs the optimize CLI with `argv`; returns the exit code. */
export async function optimizeMain(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(USAGE);
    return 0;
  }
  if (first === undefined) {
    console.log(USAGE);
    return 2;
  }
  if (first === "list") {
    const f = parseFlags(
      rest,
      { json: { type: "boolean" }, db: { type: "string" } },
      `${CMD} list`,
    );
    const studies = await withDb(optional(f, "db"), listStudies);
    console.log(f.json ? JSON.stringify(studies, null, 2) : formatStudyList(studies));
    return 0;
  }
  if (first === "show") {
    const flagAt = rest.findIndex((a) => a.startsWith("--"));
    const names = flagAt < 0 ? rest : rest.slice(0, flagAt);
    const spec = {
      top: { type: "string" },
      json: { type: "boolean" },
      db: { type: "string" },
    } as const;
    const f = parseFlags(rest.slice(names.length), spec, `${CMD} show`);
    if (names.length === 0) {
      throw new ConfigError(`"${CMD} show" needs a study name; "${CMD} list" shows them.`);
    }
    const top = parseCount(optional(f, "top") ?? (names.length > 1 ? "3" : "10"), "top");
    const reports = await withDb(
      optional(f, "db"),
      async (db) =>
        names.length === 1
          ? [await showStudy(db, names[0], { top })]
          : await compareStudies(db, names, { top }),
    );
    if (f.json) console.log(JSON.stringify(names.length === 1 ? reports[0] : reports, null, 2));
    else console.log(reports.map(formatStudy).join("\n\n"));
    return 0;
  }
  return await runCommand(first === "run" ? rest : argv);
}

if (import.meta.main) runMain(() => optimizeMain(Deno.args));
