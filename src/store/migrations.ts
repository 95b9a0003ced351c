// Versioned schema migrations, recorded in the database and safe to run any number of times.

import type { DuckDBValue } from "@duckdb/node-api";

/**
 * What {@link migrate} needs of a database: statements, queries and transactions. `Db` is one;
 * it runs the migrations when it opens, so this file does not import it back.
 */
export interface MigrationTarget {
  run(sql: string, params?: DuckDBValue[]): Promise<void>;
  all(sql: string): Promise<Record<string, unknown>[]>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

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
  {
    version: 4,
    name: "service: bots, their events and records, confirmations, audit log, settings",
    sql: `
      -- One row a bot ever defined; desired_status survives restarts.
      CREATE TABLE bots (
        bot_id VARCHAR PRIMARY KEY,
        config JSON NOT NULL,
        desired_status VARCHAR NOT NULL CHECK (desired_status IN ('running', 'paused', 'stopped')),
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      -- What happened to a bot from outside its candles, in order. A bot's state is its candles
      -- replayed with these applied after the candle with open time after_ts (NULL: before any).
      CREATE TABLE bot_events (
        bot_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        after_ts BIGINT,
        kind VARCHAR NOT NULL,
        payload JSON NOT NULL,
        occurred_at BIGINT NOT NULL,
        PRIMARY KEY (bot_id, seq)
      );
      CREATE TABLE bot_decisions (
        bot_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        n INTEGER NOT NULL,
        correlation_id VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        strategy_version VARCHAR NOT NULL,
        side VARCHAR,
        confidence DOUBLE,
        signal JSON,
        outcome VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        orders JSON NOT NULL,
        PRIMARY KEY (bot_id, ts, n)
      );
      CREATE TABLE bot_orders (
        bot_id VARCHAR NOT NULL,
        client_id VARCHAR NOT NULL,
        correlation_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        symbol VARCHAR NOT NULL,
        side VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        request JSON NOT NULL,
        PRIMARY KEY (bot_id, client_id)
      );
      CREATE TABLE bot_fills (
        bot_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        correlation_id VARCHAR NOT NULL,
        client_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        symbol VARCHAR NOT NULL,
        side VARCHAR NOT NULL,
        qty DOUBLE NOT NULL,
        price DOUBLE NOT NULL,
        fee DOUBLE NOT NULL,
        liquidity VARCHAR NOT NULL,
        exit_reason VARCHAR,
        PRIMARY KEY (bot_id, seq)
      );
      -- The position after each fill (qty 0: flat).
      CREATE TABLE bot_positions (
        bot_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        correlation_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        symbol VARCHAR NOT NULL,
        side VARCHAR,
        qty DOUBLE NOT NULL,
        entry_price DOUBLE,
        PRIMARY KEY (bot_id, seq)
      );
      CREATE TABLE bot_trades (
        bot_id VARCHAR NOT NULL,
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
        exit_reason VARCHAR NOT NULL,
        PRIMARY KEY (bot_id, seq)
      );
      -- Equity after each candle the bot traded on (ts: the candle's open time).
      CREATE TABLE bot_equity (
        bot_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        equity DOUBLE NOT NULL,
        balance DOUBLE NOT NULL,
        PRIMARY KEY (bot_id, ts)
      );
      CREATE TABLE pending_confirmations (
        id VARCHAR PRIMARY KEY,
        bot_id VARCHAR NOT NULL,
        correlation_id VARCHAR NOT NULL,
        client_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        request JSON NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        status VARCHAR NOT NULL,
        decided_at BIGINT,
        decided_by VARCHAR
      );
      CREATE SEQUENCE audit_seq START 1;
      CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
        occurred_at BIGINT NOT NULL,
        action VARCHAR NOT NULL,
        target VARCHAR,
        surface VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        details JSON NOT NULL
      );
      CREATE SEQUENCE incident_seq START 1;
      CREATE TABLE incidents (
        seq BIGINT PRIMARY KEY DEFAULT nextval('incident_seq'),
        occurred_at BIGINT NOT NULL,
        bot_id VARCHAR,
        kind VARCHAR NOT NULL,
        message VARCHAR NOT NULL,
        restart_in_ms BIGINT
      );
      CREATE TABLE settings (key VARCHAR PRIMARY KEY, value JSON NOT NULL);
    `,
  },
  {
    version: 5,
    name: "live order journal",
    sql: `
      -- One row a live order: its intent (written before it is sent), status, exchange id, fills.
      CREATE TABLE live_orders (
        client_id VARCHAR PRIMARY KEY,
        exchange_client_id VARCHAR NOT NULL UNIQUE,
        exchange VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        entry JSON NOT NULL,
        seq BIGINT NOT NULL,
        updated_ts BIGINT NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: "live funding payments",
    sql: `
      -- One row a funding payment booked into a live ledger (amount paid; negative: received).
      CREATE TABLE live_funding (
        exchange VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        amount DOUBLE NOT NULL,
        to_position BOOLEAN NOT NULL,
        PRIMARY KEY (exchange, symbol, id)
      );
    `,
  },
  {
    version: 7,
    name: "webhook alerts",
    sql: `
      -- One row a webhook alert (the journal's copy), with its fate: received, duplicate, and
      -- later refused, pending, sent, filled. The body never holds the passphrase.
      CREATE TABLE alerts (
        seq BIGINT PRIMARY KEY,
        received_at BIGINT NOT NULL,
        source VARCHAR NOT NULL,
        bot_id VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        body VARCHAR NOT NULL,
        state VARCHAR NOT NULL,
        duplicate_of BIGINT,
        rule VARCHAR,
        reason VARCHAR,
        updated_at BIGINT NOT NULL
      );
    `,
  },
];

/** Applies every migration not yet recorded, each in its own transaction. Returns those applied. */
export async function migrate(
  db: MigrationTarget,
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
