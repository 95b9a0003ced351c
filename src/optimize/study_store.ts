// Optimisation studies in DuckDB: the study's settings and every finished trial (migration 3).

import type { Metrics } from "../backtest/metrics.ts";
import type { Seed } from "../data/rng.ts";
import type { Db, Row } from "../store/db.ts";
import type { ObjectiveSpec } from "./objective.ts";
import type { PruneSettings } from "./pruner.ts";
import type { SamplerSpec } from "./samplers.ts";
import type { SearchSpace } from "./space.ts";
import type { TrialBacktest } from "./trial_run.ts";
import type { Trial, TrialState } from "./types.ts";

/** Settings of a study besides space, objective, sampler and seed (JSON). */
export interface StudyConfig {
  backtest: TrialBacktest;
  constraints: Record<string, unknown>;
  prune: PruneSettings | null;
  /** Trials proposed together (see optimize.ts); results never depend on the worker count. */
  batch: number;
  /** The study's trial target (updated when it is resumed with a new one). */
  trials: number;
  /** The data range asked for, when the candles came from the store by range. */
  range?: { from?: number; to?: number };
}

/** A stored study. */
export interface StudyRecord {
  id: number;
  name: string;
  created_at: string;
  strategy: string;
  strategy_version: string;
  exchange: string;
  symbol: string;
  timeframe: string;
  candles: number;
  first_ts: number | null;
  last_ts: number | null;
  data_fingerprint: string;
  config: StudyConfig;
  space: SearchSpace;
  objective: ObjectiveSpec;
  sampler: SamplerSpec;
  seed: Seed;
}

/** A study to create (the store assigns id and creation time). */
export type NewStudy = Omit<StudyRecord, "id" | "created_at">;

/** One line of `optimize list`. */
export interface StudySummary {
  name: string;
  created_at: string;
  strategy: string;
  symbol: string;
  timeframe: string;
  sampler: string;
  objective: string;
  target: number;
  trials: number;
  counts: Record<TrialState, number>;
  best: { number: number; value: number } | null;
}

const json = (v: unknown) => JSON.parse(String(v));

function toStudy(r: Row): StudyRecord {
  return {
    id: Number(r.id),
    name: String(r.name),
    created_at: String(r.created_at),
    strategy: String(r.strategy),
    strategy_version: String(r.strategy_version),
    exchange: String(r.exchange),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe),
    candles: Number(r.candles),
    first_ts: r.first_ts === null ? null : Number(r.first_ts),
    last_ts: r.last_ts === null ? null : Number(r.last_ts),
    data_fingerprint: String(r.data_fingerprint),
    config: json(r.config),
    space: json(r.space),
    objective: json(r.objective),
    sampler: json(r.sampler),
    seed: json(r.seed),
  };
}

function toTrial(r: Row): Trial {
  return {
    number: Number(r.number),
    params: json(r.params),
    state: String(r.state) as TrialState,
    value: r.value === null ? null : Number(r.value),
    score: Number(r.score),
    intermediate: json(r.intermediate),
    metrics: r.metrics === null ? null : json(r.metrics) as Metrics,
    reason: r.reason === null ? null : String(r.reason),
  };
}

const STUDY_COLUMNS = `id, name, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, strategy,
  strategy_version, exchange, symbol, timeframe, candles, first_ts, last_ts, data_fingerprint, config,
  space, objective, sampler, seed`;

/**
 * Stores and reads optimisation studies and their trials.
 *
 * @example
 * ```ts
 * const studies = new StudyStore(db);
 * for (const s of await studies.list()) console.log(s.name, s.trials, s.best?.value);
 * const top = await studies.top("ema-sharpe", 5);
 * ```
 */
export class StudyStore {
  constructor(readonly db: Db) {}

  /** Creates a study; its name must be new. */
  async create(s: NewStudy): Promise<StudyRecord> {
    await this.db.run(
      `INSERT INTO optimization_studies (name, strategy, strategy_version, exchange, symbol, timeframe,
         candles, first_ts, last_ts, data_fingerprint, config, space, objective, sampler, seed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        s.name,
        s.strategy,
        s.strategy_version,
        s.exchange,
        s.symbol,
        s.timeframe,
        s.candles,
        s.first_ts === null ? null : BigInt(s.first_ts),
        s.last_ts === null ? null : BigInt(s.last_ts),
        s.data_fingerprint,
        JSON.stringify(s.config),
        JSON.stringify(s.space),
        JSON.stringify(s.objective),
        JSON.stringify(s.sampler),
        JSON.stringify(s.seed),
      ],
    );
    return (await this.get(s.name))!;
  }

  /** The study called `name`, or undefined. */
  async get(name: string): Promise<StudyRecord | undefined> {
    const [r] = await this.db.all(
      `SELECT ${STUDY_COLUMNS} FROM optimization_studies WHERE name = ?`,
      [name],
    );
    return r ? toStudy(r) : undefined;
  }

  /** Replaces a study's config (a resumed study's new trial target). */
  async updateConfig(id: number, config: StudyConfig): Promise<void> {
    await this.db.run("UPDATE optimization_studies SET config = ? WHERE id = ?", [
      JSON.stringify(config),
      id,
    ]);
  }

  /** Records a finished trial. */
  async saveTrial(studyId: number, t: Trial): Promise<void> {
    await this.db.run(
      `INSERT INTO optimization_trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        studyId,
        t.number,
        JSON.stringify(t.params),
        t.state,
        t.value,
        t.score,
        JSON.stringify(t.intermediate),
        t.metrics === null ? null : JSON.stringify(t.metrics),
        t.reason,
      ],
    );
  }

  /** Every stored trial of a study, by number. */
  async trials(studyId: number): Promise<Trial[]> {
    const rows = await this.db.all(
      "SELECT * FROM optimization_trials WHERE study_id = ? ORDER BY number",
      [studyId],
    );
    return rows.map(toTrial);
  }

  /** The `n` best ranked trials of the study called `name` (empty when unknown). */
  async top(name: string, n = 10): Promise<Trial[]> {
    const rows = await this.db.all(
      `SELECT t.* FROM optimization_trials t JOIN optimization_studies s ON s.id = t.study_id
       WHERE s.name = ? AND t.score > '-inf'::DOUBLE ORDER BY t.score DESC, t.number LIMIT ?`,
      [name, n],
    );
    return rows.map(toTrial);
  }

  /** Every study with its trial counts and best value, newest first. */
  async list(): Promise<StudySummary[]> {
    const rows = await this.db.all(`
      SELECT s.name, strftime(s.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, s.strategy, s.symbol,
        s.timeframe, s.sampler, s.objective, s.config, count(t.number) AS trials,
        count(*) FILTER (WHERE t.state = 'complete') AS complete,
        count(*) FILTER (WHERE t.state = 'pruned') AS pruned,
        count(*) FILTER (WHERE t.state = 'invalid') AS invalid,
        count(*) FILTER (WHERE t.state = 'failed') AS failed,
        arg_max(t.number, [t.score, -t.number]) FILTER (WHERE t.score > '-inf'::DOUBLE) AS best_number,
        max(t.score) FILTER (WHERE t.score > '-inf'::DOUBLE) AS best_value
      FROM optimization_studies s LEFT JOIN optimization_trials t ON t.study_id = s.id
      GROUP BY s.id, s.name, s.created_at, s.strategy, s.symbol, s.timeframe, s.sampler, s.objective,
        s.config
      ORDER BY s.created_at DESC, s.name`);
    return rows.map((r) => {
      const objective = json(r.objective) as ObjectiveSpec;
      return {
        name: String(r.name),
        created_at: String(r.created_at),
        strategy: String(r.strategy),
        symbol: String(r.symbol),
        timeframe: String(r.timeframe),
        sampler: (json(r.sampler) as SamplerSpec).kind,
        objective: objective.name === "custom" ? `custom:${objective.label}` : objective.name,
        target: Number((json(r.config) as StudyConfig).trials),
        trials: Number(r.trials),
        counts: {
          complete: Number(r.complete),
          pruned: Number(r.pruned),
          invalid: Number(r.invalid),
          failed: Number(r.failed),
        },
        best: r.best_value === null
          ? null
          : { number: Number(r.best_number), value: Number(r.best_value) },
      };
    });
  }
}
