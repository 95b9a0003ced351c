// Bulk reads for the scanner: every series of one exchange and timeframe in a single query.

import { allocColumns, type CandleColumns, sliceColumns } from "../core/candles.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { CandleStore } from "../store/candle_store.ts";

/** Which candles {@link readWindows} reads; give a range, or `lastSpanMs`. */
export interface WindowQuery {
  /** ccxt exchange id the candles are stored under. */
  exchange: string;
  timeframe: string;
  /** Open times from (inclusive) and to (exclusive), the same for every series. */
  from?: number;
  to?: number;
  /**
   * Instead of a range: per series, the candles opened after (its newest stored candle −
   * `lastSpanMs`), i.e. its last `lastSpanMs / timeframe` slots.
   */
  lastSpanMs?: number;
}

/**
 * Reads the candles of every stored series of one exchange and timeframe in one query (a
 * query per series costs ~1 ms of DuckDB overhead, which dominates a 900-series scan).
 * Returns columns by symbol, ordered by time; series without candles in range are absent.
 *
 * @example
 * ```ts
 * const windows = await readWindows(store, { exchange: "okx", timeframe: "1h", lastSpanMs: 200 * 3_600_000 });
 * windows.get("BTC/USDT")?.close;
 * ```
 */
export async function readWindows(
  store: CandleStore,
  q: WindowQuery,
): Promise<Map<string, CandleColumns>> {
  const db = store.db;
  const names = new Map<number, string>();
  const ids = await db.all("SELECT id, symbol FROM series WHERE exchange = ? AND timeframe = ?", [
    q.exchange,
    q.timeframe,
  ]);
  for (const r of ids) names.set(Number(r.id), String(r.symbol));
  const out = new Map<string, CandleColumns>();
  if (names.size === 0) return out;
  const cols = "c.series_id::DOUBLE, c.ts::DOUBLE, c.open, c.high, c.low, c.close, c.volume";
  const inSeries = "SELECT id FROM series WHERE exchange = ? AND timeframe = ?";
  let sql: string;
  const params: (string | bigint)[] = [q.exchange, q.timeframe];
  if (q.lastSpanMs !== undefined) {
    sql = `WITH newest AS (SELECT series_id, max(ts) AS last FROM candles
             WHERE series_id IN (${inSeries}) GROUP BY series_id)
           SELECT ${cols} FROM candles c JOIN newest n ON n.series_id = c.series_id
           WHERE c.ts > n.last - ? ORDER BY c.series_id, c.ts`;
    params.push(BigInt(q.lastSpanMs));
  } else {
    sql = `SELECT ${cols} FROM candles c WHERE c.series_id IN (${inSeries})
             AND c.ts >= ? AND c.ts < ? ORDER BY c.series_id, c.ts`;
    params.push(BigInt(q.from ?? -8.64e15), BigInt(q.to ?? 8.64e15));
  }
  const [sid, all] = await streamColumns(store, sql, params);
  let start = 0;
  for (let i = 1; i <= sid.length; i++) {
    if (i < sid.length && sid[i] === sid[start]) continue;
    out.set(names.get(sid[start])!, sliceColumns(all, start, i));
    start = i;
  }
  return out;
}

/** Runs a query of seven DOUBLE columns (series id, ts, OHLCV) into arrays. */
function streamColumns(
  store: CandleStore,
  sql: string,
  params: (string | bigint)[],
): Promise<[Float64Array, CandleColumns]> {
  return store.reading((conn) => readSeries(conn, sql, params));
}

async function readSeries(
  conn: DuckDBConnection,
  sql: string,
  params: (string | bigint)[],
): Promise<[Float64Array, CandleColumns]> {
  const result = await conn.stream(sql, params);
  const parts: Float64Array[][] = [[], [], [], [], [], [], []];
  let total = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    for (let c = 0; c < 7; c++) {
      const vec = chunk.getColumnVector(c);
      const dst = new Float64Array(rows);
      for (let i = 0; i < rows; i++) dst[i] = (vec.getItem(i) as number | null) ?? NaN;
      parts[c].push(dst);
    }
    total += rows;
  }
  const sid = new Float64Array(total);
  const out = allocColumns(total);
  const targets = [sid, out.ts, out.open, out.high, out.low, out.close, out.volume];
  for (let c = 0; c < 7; c++) {
    let pos = 0;
    for (const p of parts[c]) (targets[c].set(p, pos), pos += p.length);
  }
  return [sid, out];
}
