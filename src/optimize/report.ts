// Text views of studies and trials for the terminal: tables of trials, study headers, listings.

import { isoUtc } from "../core/candles.ts";
import type { StudyReport } from "./studies.ts";
import type { StudyRecord, StudySummary } from "./study_store.ts";
import type { Trial, TrialState } from "./types.ts";

/** Lays out rows as left-aligned columns separated by two spaces. */
export function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(w[c])).join("  ").trimEnd()).join("\n");
}

const fmt = (x: number | null | undefined, digits = 4) =>
  x === null || x === undefined ? "n/a" : String(Number(x.toPrecision(digits)));
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? "n/a" : `${(x * 100).toFixed(2)}%`;

/** Parameters as "k=v k2=v2", leaving out the keys in `skip`. */
export function formatParams(
  params: Record<string, unknown>,
  skip: readonly string[] = [],
): string {
  return Object.entries(params)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

/** A table of trials: number, state, objective value, trades, return, drawdown, parameters. */
export function formatTrials(
  trials: readonly Trial[],
  objective: string,
  fixed: string[] = [],
): string {
  if (trials.length === 0) return "(no ranked trials)";
  const rows = [["#", "state", objective, "trades", "return", "max dd", "params"]];
  for (const t of trials) {
    rows.push([
      String(t.number),
      t.state,
      fmt(t.value),
      t.metrics ? String(t.metrics.trades) : "-",
      pct(t.metrics?.total_return),
      pct(t.metrics?.max_drawdown),
      formatParams(t.params, fixed),
    ]);
  }
  return table(rows);
}

/** "120 trials: 90 complete, 20 pruned, 10 invalid, 0 failed". */
export function formatCounts(counts: Record<TrialState, number>): string {
  const total = counts.complete + counts.pruned + counts.invalid + counts.failed;
  return `${total} trials: ${counts.complete} complete, ${counts.pruned} pruned, ` +
    `${counts.invalid} invalid, ${counts.failed} failed`;
}

/** The objective's display name. */
export function objectiveName(o: { name: string; lambda?: number; label?: string }): string {
  if (o.name === "custom") return `custom:${o.label}`;
  return o.name === "return_dd" ? `return_dd(λ=${o.lambda ?? 1})` : o.name;
}

/** A study's header, counts and best trials, as `optimize show` prints it. */
export function formatStudy(r: StudyReport): string {
  const s = r.study;
  const range = s.first_ts === null || s.last_ts === null
    ? ""
    : `, ${isoUtc(s.first_ts)} .. ${isoUtc(s.last_ts)}`;
  const fixed = Object.keys(s.space.fixed);
  const lines = [
    `study ${s.name}: ${s.strategy}@${s.strategy_version} on ${s.exchange} ${s.symbol} ${s.timeframe}` +
    `${range} (${s.candles} candles), created ${s.created_at}`,
    `sampler ${s.sampler.kind}, objective ${objectiveName(s.objective)}, seed ${
      JSON.stringify(s.seed)
    }, batch ${s.config.batch}, target ${s.config.trials} trials` +
    (s.config.prune ? `, pruning at ${s.config.prune.checkpoints.join("/")}` : "") +
    (Object.keys(s.config.constraints).length
      ? `, constraints ${JSON.stringify(s.config.constraints)}`
      : ""),
    `space ${
      s.space.dims.map((d) =>
        d.kind === "choice"
          ? `${d.name}∈{${d.values.join(",")}}`
          : `${d.name}∈[${d.low},${d.high}]${d.step !== null && d.step !== 1 ? `/${d.step}` : ""}${
            d.log ? " log" : ""
          }`
      ).join(" ")
    }${fixed.length ? `; fixed ${formatParams(s.space.fixed)}` : ""}`,
    formatCounts(r.counts),
    formatTrials(r.top, objectiveName(s.objective), fixed),
  ];
  return lines.join("\n");
}

/** The study listing of `optimize list`. */
export function formatStudyList(studies: readonly StudySummary[]): string {
  if (studies.length === 0) return "No stored studies.";
  const rows = [[
    "name",
    "created",
    "strategy",
    "symbol",
    "tf",
    "sampler",
    "objective",
    "trials",
    "best",
  ]];
  for (const s of studies) {
    rows.push([
      s.name,
      s.created_at,
      s.strategy,
      s.symbol,
      s.timeframe,
      s.sampler,
      s.objective,
      `${s.trials}/${s.target}`,
      s.best ? `${fmt(s.best.value)} (#${s.best.number})` : "n/a",
    ]);
  }
  return table(rows);
}

/** What `optimize` prints after a run: the study, counts, best value and the top trials. */
export function formatRun(
  s: StudyRecord,
  counts: Record<TrialState, number>,
  top: readonly Trial[],
  best: Trial | null,
  exhausted: boolean,
): string {
  const name = objectiveName(s.objective);
  const span = s.first_ts === null || s.last_ts === null
    ? ""
    : `, ${isoUtc(s.first_ts)} .. ${isoUtc(s.last_ts)}`;
  return [
    `study ${s.name}: ${s.strategy}@${s.strategy_version} on ${s.exchange} ${s.symbol} ${s.timeframe}` +
    `${span} (${s.candles} candles)`,
    formatCounts(counts) + (exhausted ? " (the search space is used up)" : ""),
    best
      ? `best #${best.number}: ${name} ${Number(best.score.toPrecision(6))}`
      : "No trial is ranked: none completed within the constraints.",
    formatTrials(top, name, Object.keys(s.space.fixed)),
  ].join("\n");
}
