// Backtest runs in DuckDB: config, strategy version, data fingerprint, metrics, trades, equity.

import {
  BIGINT,
  DOUBLE,
  DuckDBBigIntVector,
  DuckDBDataChunk,
  DuckDBDoubleVector,
  VARCHAR,
} from "@duckdb/node-api";
import type { Trade } from "../core/trading.ts";
import type { Db } from "./db.ts";

/** What is stored about one run (the JSON-friendly parts of a backtest result). */
export interface StoredRun {
  id: string;
  strategy: string;
  strategy_version: string;
  exchange: string;
  symbol: string;
  timeframe: string;
  first_ts: number | null;
  last_ts: number | null;
  candles: number;
  data_fingerprint: string;
  config: Record<string, unknown>;
  metrics: Record<string, unknown>;
  final_equity: number;
  open_position: unknown;
}

/** A run to save: the summary plus its trades, equity curve and decisions. */
export interface RunToSave extends StoredRun {
  trades: readonly Trade[];
  equity: { ts: Float64Array; equity: Float64Array };
  decisions: readonly {
    ts: number;
    symbol: string;
    side: string;
    confidence: number;
    signal_reason: string;
    outcome: string;
    code: string;
    detail: string;
  }[];
}

/** Listing row for `backtest list`. */
export interface RunSummary {
  id: string;
  created_at: string;
  strategy: string;
  strategy_version: string;
  symbol: string;
  timeframe: string;
  candles: number;
  trades: number;
  total_return: number | null;
  final_equity: number;
}

const TABLES = ["backtest_trades", "backtest_equity", "backtest_decisions"];

/** Stores and reads backtest runs. */
export class BacktestStore {
  constructor(readonly db: Db) {}

  /** Saves a run (replacing one with the same id: same inputs give the same id and output). */
  async save(run: RunToSave): Promise<void> {
    await this.db.transaction(async () => {
      await this.remove(run.id);
      await this.db.run(
        `INSERT INTO backtest_runs (id, strategy, strategy_version, exchange, symbol, timeframe, first_ts,
           last_ts, candles, data_fingerprint, config, metrics, final_equity, open_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          run.id,
          run.strategy,
          run.strategy_version,
          run.exchange,
          run.symbol,
          run.timeframe,
          run.first_ts === null ? null : BigInt(run.first_ts),
          run.last_ts === null ? null : BigInt(run.last_ts),
          run.candles,
          run.data_fingerprint,
          JSON.stringify(run.config),
          JSON.stringify(run.metrics),
          run.final_equity,
          run.open_position === null ? null : JSON.stringify(run.open_position),
        ],
      );
      let seq = 0;
      for (const t of run.trades) {
        await this.db.run(
          `INSERT INTO backtest_trades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            run.id,
            seq++,
            t.symbol,
            t.side,
            BigInt(t.entry_ts),
            BigInt(t.exit_ts),
            t.qty,
            t.entry_price,
            t.exit_price,
            t.fees,
            t.funding,
            t.pnl,
            t.exit_reason,
          ],
        );
      }
      await this.appendEquity(run.id, run.equity.ts, run.equity.equity);
      for (const d of run.decisions) {
        await this.db.run(
          `INSERT INTO backtest_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            run.id,
            BigInt(d.ts),
            d.symbol,
            run.strategy_version,
            d.side,
            d.confidence,
            d.signal_reason,
            d.outcome,
            d.code,
            d.detail,
          ],
        );
      }
    });
  }

  /** All runs, newest first. */
  async list(): Promise<RunSummary[]> {
    const rows = await this.db.all(`
      SELECT r.id, strftime(r.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, r.strategy, r.strategy_version,
             r.symbol, r.timeframe, r.candles, r.final_equity,
             (SELECT count(*) FROM backtest_trades t WHERE t.run_id = r.id) AS trades,
             json_extract(r.metrics, '$.total_return')::DOUBLE AS total_return
      FROM backtest_runs r ORDER BY r.created_at DESC, r.id`);
    return rows.map((r) => ({
      id: String(r.id),
      created_at: String(r.created_at),
      strategy: String(r.strategy),
      strategy_version: String(r.strategy_version),
      symbol: String(r.symbol),
      timeframe: String(r.timeframe),
      candles: Number(r.candles),
      trades: Number(r.trades),
      total_return: r.total_return === null ? null : Number(r.total_return),
      final_equity: Number(r.final_equity),
    }));
  }

  /** One run with its trades (and equity curve when asked), or undefined. */
  async get(id: string, options: { equity?: boolean } = {}): Promise<
    (StoredRun & { trades: Trade[]; equity?: { ts: number[]; equity: number[] } }) | undefined
  > {
    const [r] = await this.db.all("SELECT * FROM backtest_runs WHERE id = ?", [id]);
    if (!r) return undefined;
    const trades = (await this.db.all(
      "SELECT * EXCLUDE (run_id, seq) FROM backtest_trades WHERE run_id = ? ORDER BY seq",
      [id],
    )).map((t) => ({
      symbol: String(t.symbol),
      side: t.side as Trade["side"],
      entry_ts: Number(t.entry_ts),
      exit_ts: Number(t.exit_ts),
      qty: Number(t.qty),
      entry_price: Number(t.entry_price),
      exit_price: Number(t.exit_price),
      fees: Number(t.fees),
      funding: Number(t.funding),
      pnl: Number(t.pnl),
      exit_reason: t.exit_reason as Trade["exit_reason"],
    }));
    const run = {
      id: String(r.id),
      strategy: String(r.strategy),
      strategy_version: String(r.strategy_version),
      exchange: String(r.exchange),
      symbol: String(r.symbol),
      timeframe: String(r.timeframe),
      first_ts: r.first_ts === null ? null : Number(r.first_ts),
      last_ts: r.last_ts === null ? null : Number(r.last_ts),
      candles: Number(r.candles),
      data_fingerprint: String(r.data_fingerprint),
      config: JSON.parse(String(r.config)),
      metrics: JSON.parse(String(r.metrics)),
      final_equity: Number(r.final_equity),
      open_position: r.open_position === null ? null : JSON.parse(String(r.open_position)),
      trades,
    };
    if (!options.equity) return run;
    const eq = await this.db.all(
      "SELECT ts, equity FROM backtest_equity WHERE run_id = ? ORDER BY ts",
      [id],
    );
    return {
      ...run,
      equity: { ts: eq.map((e) => Number(e.ts)), equity: eq.map((e) => Number(e.equity)) },
    };
  }

  /** Deletes one run (true when it existed), or every run when `id` is undefined; returns the count. */
  async delete(id?: string): Promise<number> {
    return await this.db.transaction(async () => {
      if (id === undefined) {
        const [{ n }] = await this.db.all("SELECT count(*) AS n FROM backtest_runs");
        for (const t of [...TABLES, "backtest_runs"]) await this.db.run(`DELETE FROM ${t}`);
        return Number(n);
      }
      return await this.remove(id);
    });
  }

  private async remove(id: string): Promise<number> {
    for (const t of TABLES) await this.db.run(`DELETE FROM ${t} WHERE run_id = ?`, [id]);
    const res = await this.db.conn.run("DELETE FROM backtest_runs WHERE id = ?", [id]);
    return Number(res.rowsChanged);
  }

  private async appendEquity(id: string, ts: Float64Array, equity: Float64Array): Promise<void> {
    const appender = await this.db.conn.createAppender("backtest_equity");
    const CH = 2048;
    const chunk = DuckDBDataChunk.create([VARCHAR, BIGINT, DOUBLE], CH);
    for (let off = 0; off < ts.length; off += CH) {
      const n = Math.min(CH, ts.length - off);
      chunk.rowCount = n;
      chunk.setColumnValues(0, new Array(n).fill(id));
      const tv = chunk.getColumnVector(1) as DuckDBBigIntVector;
      const ev = chunk.getColumnVector(2) as DuckDBDoubleVector;
      for (let i = 0; i < n; i++) {
        tv.setItem(i, BigInt(ts[off + i]));
        ev.setItem(i, equity[off + i]);
      }
      tv.flush();
      ev.flush();
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }
}
