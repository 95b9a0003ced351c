// Versioned schema migrations, recorded in the database and safe to run any number of times.

import type { Db } from "./db.ts";

/** One schema step. Versions only grow; a released migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "candles",
    sql: `
      CREATE SEQUENCE series_id_seq START 1;
      CREATE TABLE series (
        id INTEGER PRIMARY KEY DEFAULT nextval('series_id_seq'),
        exchange VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        UNIQUE (exchange, symbol, timeframe)
      );
      -- Unique on (series_id, ts): enforced by the store's upsert, the only writer, because an
      -- index makes bulk ingest four times slower.
      CREATE TABLE candles (
        series_id INTEGER NOT NULL,
        ts BIGINT NOT NULL,
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        volume DOUBLE NOT NULL
      );
      CREATE VIEW candles_view AS
        SELECT s.exchange, s.symbol, s.timeframe, c.ts, epoch_ms(c.ts) AS time,
               c.open, c.high, c.low, c.close, c.volume
        FROM candles c JOIN series s ON s.id = c.series_id;
    `,
  },
  {
    version: 2,
    name: "backtest_runs",
    sql: `
      CREATE TABLE backtest_runs (
        id VARCHAR PRIMARY KEY,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        strategy VARCHAR NOT NULL,
        strategy_version VARCHAR NOT NULL,
        exchange VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        first_ts BIGINT,
        last_ts BIGINT,
        candles INTEGER NOT NULL,
        data_fingerprint VARCHAR NOT NULL,
        config JSON NOT NULL,
        metrics JSON NOT NULL,
        final_equity DOUBLE NOT NULL,
        open_position JSON
      );
      CREATE TABLE backtest_trades (
        run_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        symbol VARCHAR NOT NULL,
        side VARCHAR NOT NULL,
        entry_ts BIGINT NOT NULL,
        exit_ts BIGINT NOT NULL,
        qty DOUBLE NOT NULL,
        entry_price DOUBLE NOT NULL,
        exit_price DOUBLE NOT NULL,
        fees DOUBLE NOT NULL,
        funding DOUBLE NOT NULL,
        pnl DOUBLE NOT NULL,
        exit_reason VARCHAR NOT NULL
      );
      CREATE TABLE backtest_equity (run_id VARCHAR NOT NULL, ts BIGINT NOT NULL, equity DOUBLE NOT NULL);
      CREATE TABLE backtest_decisions (
        run_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        symbol VARCHAR NOT NULL,
        strategy_version VARCHAR NOT NULL,
        side VARCHAR NOT NULL,
        confidence DOUBLE NOT NULL,
        signal_reason VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        detail VARCHAR NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: "optimization_studies",
    sql: `
      CREATE SEQUENCE optimization_study_id_seq START 1;
      CREATE TABLE optimization_studies (
        id INTEGER PRIMARY KEY DEFAULT nextval('optimization_study_id_seq'),
        name VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        strategy VARCHAR NOT NULL,
        strategy_version VARCHAR NOT NULL,
        exchange VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        candles INTEGER NOT NULL,
        first_ts BIGINT,
        last_ts BIGINT,
        data_fingerprint VARCHAR NOT NULL,
        config JSON NOT NULL,
        space JSON NOT NULL,
        objective JSON NOT NULL,
        sampler JSON NOT NULL,
        seed JSON NOT NULL
      );
      -- One row a finished trial; score is -inf for trials that are not ranked.
      CREATE TABLE optimization_trials (
        study_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        params JSON NOT NULL,
        state VARCHAR NOT NULL CHECK (state IN ('complete', 'pruned', 'invalid', 'failed')),
        value DOUBLE,
        score DOUBLE NOT NULL,
        intermediate JSON NOT NULL,
        metrics JSON,
        reason VARCHAR,
        PRIMARY KEY (study_id, number)
      );
    `,
  },
];

/** Applies every migration not yet recorded, each in its own transaction. Returns those applied. */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT now()
  )`);
  const done = new Set(
    (await db.all("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    await db.transaction(async () => {
      await db.run(m.sql);
      await db.run("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [
        m.version,
        m.name,
      ]);
    });
    applied.push(m.version);
  }
  return applied;
}
