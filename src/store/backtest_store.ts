// Backtest runs in DuckDB: config, strategy version, data fingerprint, metrics, trades, equity.

import {
  BIGINT,
  DOUBLE,
  type DuckDBBigIntVector,
  DuckDBDataChunk,
  type DuckDBDoubleVector,
  type DuckDBIntegerVector,
  type DuckDBValue,
  type DuckDBVarCharVector,
  type DuckDBVector,
  INTEGER,
  VARCHAR,
} from "@duckdb/node-api";
import { type DecisionCount, sortCounts } from "../core/decision_summary.ts";
import type { Trade } from "../core/trading.ts";
import type { Db, Row, StoreOptions } from "./db.ts";

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
  max_drawdown: number | null;
  sharpe: number | null;
  win_rate: number | null;
  final_equity: number;
}

const TABLES = ["backtest_trades", "backtest_equity", "backtest_decisions"];

/** Stores and reads backtest runs. */
export class BacktestStore {
  readonly #reader: boolean;

  /** `options.readConnection`: its reads go through the read connection (the API's). */
  constructor(readonly db: Db, options: StoreOptions = {}) {
    this.#reader = options.readConnection ?? false;
  }

  #query(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    return this.#reader ? this.db.read(sql, params) : this.db.all(sql, params);
  }

  /**
   * Saves a run (replacing one with the same id: same inputs give the same id and output), in
   * one transaction: the run's row, then its trades, equity curve and decisions through DuckDB
   * appenders, a data chunk of 2,048 rows at a time (never a statement a row).
   */
  async save(run: RunToSave): Promise<void> {
    await this.db.transaction(async () => {
      const [known] = await this.db.all("SELECT 1 AS x FROM backtest_runs WHERE id = ?", [run.id]);
      if (known) await this.remove(run.id);
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
      const { trades, decisions, equity } = run;
      const id = { kind: "same", value: run.id } as const;
      await this.append("backtest_trades", trades.length, [
        id,
        { kind: "integer", at: (i) => i },
        { kind: "varchar", at: (i) => trades[i].symbol },
        { kind: "varchar", at: (i) => trades[i].side },
        { kind: "bigint", at: (i) => trades[i].entry_ts },
        { kind: "bigint", at: (i) => trades[i].exit_ts },
        { kind: "double", at: (i) => trades[i].qty },
        { kind: "double", at: (i) => trades[i].entry_price },
        { kind: "double", at: (i) => trades[i].exit_price },
        { kind: "double", at: (i) => trades[i].fees },
        { kind: "double", at: (i) => trades[i].funding },
        { kind: "double", at: (i) => trades[i].pnl },
        { kind: "varchar", at: (i) => trades[i].exit_reason },
      ]);
      await this.append("backtest_equity", equity.ts.length, [
        id,
        { kind: "bigint", from: equity.ts },
        { kind: "double", from: equity.equity },
      ]);
      await this.append("backtest_decisions", decisions.length, [
        id,
        { kind: "bigint", at: (i) => decisions[i].ts },
        { kind: "varchar", at: (i) => decisions[i].symbol },
        { kind: "same", value: run.strategy_version },
        { kind: "varchar", at: (i) => decisions[i].side },
        { kind: "double", at: (i) => decisions[i].confidence },
        { kind: "varchar", at: (i) => decisions[i].signal_reason },
        { kind: "varchar", at: (i) => decisions[i].outcome },
        { kind: "varchar", at: (i) => decisions[i].code },
        { kind: "varchar", at: (i) => decisions[i].detail },
      ]);
    });
  }

  /**
   * How a run's decisions ended, by outcome and code, most frequent first within an outcome (as
   * the backtest result's `decision_summary`): counted from its stored decisions.
   */
  async decisionSummary(id: string): Promise<DecisionCount[]> {
    const rows = await this.#query(
      "SELECT outcome, code, count(*) AS n FROM backtest_decisions WHERE run_id = ? GROUP BY ALL",
      [id],
    );
    return sortCounts(
      rows.map((r) => ({ outcome: String(r.outcome), code: String(r.code), count: Number(r.n) })),
    );
  }

  /** All runs, newest first. */
  async list(): Promise<RunSummary[]> {
    const rows = await this.#query(`
      SELECT r.id, strftime(r.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, r.strategy, r.strategy_version,
             r.symbol, r.timeframe, r.candles, r.final_equity,
             (SELECT count(*) FROM backtest_trades t WHERE t.run_id = r.id) AS trades,
             json_extract(r.metrics, '$.total_return')::DOUBLE AS total_return,
             json_extract(r.metrics, '$.max_drawdown')::DOUBLE AS max_drawdown,
             json_extract(r.metrics, '$.sharpe')::DOUBLE AS sharpe,
             json_extract(r.metrics, '$.win_rate')::DOUBLE AS win_rate
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
      max_drawdown: r.max_drawdown === null ? null : Number(r.max_drawdown),
      sharpe: r.sharpe === null ? null : Number(r.sharpe),
      win_rate: r.win_rate === null ? null : Number(r.win_rate),
      final_equity: Number(r.final_equity),
    }));
  }

  /** One run with its trades (and equity curve when asked), or undefined. */
  async get(id: string, options: { equity?: boolean } = {}): Promise<
    | (StoredRun & {
      trades: Trade[];
      decision_summary: DecisionCount[];
      equity?: { ts: number[]; equity: number[] };
    })
    | undefined
  > {
    const [r] = await this.#query("SELECT * FROM backtest_runs WHERE id = ?", [id]);
    if (!r) return undefined;
    const trades = (await this.#query(
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
      decision_summary: await this.decisionSummary(id),
    };
    if (!options.equity) return run;
    const eq = await this.#query(
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

  /**
   * Appends `rows` rows to `table`, whose columns are `columns` in order, through an appender
   * and one reused data chunk. A string column writes only the slots whose text changed since
   * the chunk's previous rows (each string is a call into DuckDB), so a column of one value
   * (the run id) is written once, and repeated texts (symbol, side, outcome) rarely.
   */
  private async append(table: string, rows: number, columns: readonly Column[]): Promise<void> {
    if (rows === 0) return;
    const appender = await this.db.conn.createAppender(table);
    try {
      const chunk = DuckDBDataChunk.create(columns.map((c) => TYPES[c.kind]));
      let size = -1;
      let vectors: DuckDBVector[] = [];
      let written: (string | undefined)[][] = [];
      for (let off = 0; off < rows; off += CHUNK) {
        const n = Math.min(CHUNK, rows - off);
        if (n !== size) {
          // a new row count gives new vector views (and the texts must be written again)
          chunk.rowCount = size = n;
          vectors = columns.map((_, k) => chunk.getColumnVector(k));
          written = columns.map(() => new Array(n));
        }
        for (let k = 0; k < columns.length; k++) {
          fill(columns[k], vectors[k], written[k], off, n);
          vectors[k].flush();
        }
        appender.appendDataChunk(chunk);
      }
    } finally {
      appender.closeSync();
    }
  }
}

/** Rows per data chunk (DuckDB's vector size). */
const CHUNK = 2048;

/** One column to append: row `i`'s value, or one text for every row. */
type Column =
  | { kind: "same"; value: string }
  | { kind: "varchar"; at: (i: number) => string }
  | { kind: "integer" | "bigint" | "double"; at: (i: number) => number; from?: undefined }
  | { kind: "bigint" | "double"; from: Float64Array };

const TYPES = { same: VARCHAR, varchar: VARCHAR, integer: INTEGER, bigint: BIGINT, double: DOUBLE };

/** Writes rows `off` .. `off + n` of `col` into `vec` (`written`: the texts the slots hold). */
function fill(
  col: Column,
  vec: DuckDBVector,
  written: (string | undefined)[],
  off: number,
  n: number,
): void {
  switch (col.kind) {
    case "same":
    case "varchar": {
      const v = vec as DuckDBVarCharVector;
      for (let i = 0; i < n; i++) {
        const s = col.kind === "same" ? col.value : col.at(off + i);
        if (written[i] !== s) (v.setItem(i, s), written[i] = s);
      }
      return;
    }
    case "bigint": {
      const [src, at] = numbers(col, off, n);
      const words = int64Words(vec, n);
      let i = 0;
      if (words) {
        // whole numbers in [0, 2^53) (epoch ms) as their two 32-bit words; others as BigInts
        for (; i < n; i++) {
          const x = src[at + i];
          if (!(x >= 0 && x <= Number.MAX_SAFE_INTEGER && Number.isInteger(x))) break;
          const lo = x % 0x1_0000_0000;
          words[2 * i] = lo;
          words[2 * i + 1] = (x - lo) / 0x1_0000_0000;
        }
      }
      const v = vec as DuckDBBigIntVector;
      for (; i < n; i++) v.setItem(i, BigInt(src[at + i]));
      return;
    }
    case "double": {
      const items = doubleItems(vec, n);
      if (items && col.from) {
        items.set(col.from.subarray(off, off + n)); // a year's equity: no JS a value
        return;
      }
      const v = vec as DuckDBDoubleVector;
      for (let i = 0; i < n; i++) v.setItem(i, col.from ? col.from[off + i] : col.at(off + i));
      return;
    }
    case "integer": {
      const v = vec as DuckDBIntegerVector;
      for (let i = 0; i < n; i++) v.setItem(i, col.at(off + i));
      return;
    }
  }
}

/** Rows `off` .. `off + n` of a number column: an array, and where they start in it. */
function numbers(
  col: { at: (i: number) => number; from?: undefined } | { from: Float64Array },
  off: number,
  n: number,
): [Float64Array, number] {
  if (col.from) return [col.from, off];
  const get = col.at;
  return [Float64Array.from({ length: n }, (_, i) => get(off + i)), 0];
}

/**
 * A DOUBLE vector's values as the Float64Array its flush copies to DuckDB, when
 * @duckdb/node-api 1.5.5 shows it (private `items`) and no value is NULL; else undefined.
 */
function doubleItems(vec: DuckDBVector, n: number): Float64Array | undefined {
  const raw = vec as unknown as { items?: unknown; validity?: { data?: unknown } };
  const items = raw.items;
  if (!(items instanceof Float64Array) || items.length !== n || raw.validity?.data !== null) {
    return undefined;
  }
  return items;
}

/**
 * The 32-bit words of a BIGINT vector's values, when @duckdb/node-api 1.5.5 shows them (its
 * private `items`, a BigInt64Array the vector's flush copies to DuckDB) and no value is NULL:
 * one BigInt a value costs more than the rest of an equity row. Undefined otherwise.
 */
function int64Words(vec: DuckDBVector, n: number): Uint32Array | undefined {
  const raw = vec as unknown as { items?: unknown; validity?: { data?: unknown } };
  const items = raw.items;
  if (!(items instanceof BigInt64Array) || items.length !== n || raw.validity?.data !== null) {
    return undefined;
  }
  return new Uint32Array(items.buffer, items.byteOffset, 2 * n);
}
