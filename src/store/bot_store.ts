// Bots in DuckDB: definitions and desired status, their events, and what they decided and did.

import type { Trade } from "../core/trading.ts";
import type { DuckDBValue } from "@duckdb/node-api";
import type { Db, Row, StoreOptions } from "./db.ts";
import {
  type BotEvent,
  type BotEventKind,
  type CandleRecords,
  COLUMNS,
  type DesiredStatus,
  plainRow,
  value,
} from "./bot_tables.ts";

export type { BotEvent, BotEventKind, CandleRecords, DesiredStatus } from "./bot_tables.ts";
export { plainRow } from "./bot_tables.ts";

/** Stores and reads everything about bots. All writes are idempotent (replays write again). */
export class BotStore {
  readonly #reader: boolean;

  /** `options.readConnection`: its reads go through the read connection (the API's). */
  constructor(readonly db: Db, options: StoreOptions = {}) {
    this.#reader = options.readConnection ?? false;
  }

  #query(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    return this.#reader ? this.db.read(sql, params) : this.db.all(sql, params);
  }

  /** Inserts or updates a bot's definition; keeps its desired status unless given. */
  async upsertBot(
    botId: string,
    config: unknown,
    desired: DesiredStatus,
    at: number,
  ): Promise<void> {
    await this.db.transaction(async () => {
      const rows = await this.db.all("SELECT bot_id FROM bots WHERE bot_id = ?", [botId]);
      if (rows.length) {
        await this.db.run("UPDATE bots SET config = ?, updated_at = ? WHERE bot_id = ?", [
          JSON.stringify(config),
          BigInt(at),
          botId,
        ]);
      } else {
        await this.db.run("INSERT INTO bots VALUES (?, ?, ?, ?, ?)", [
          botId,
          JSON.stringify(config),
          desired,
          BigInt(at),
          BigInt(at),
        ]);
      }
    });
  }

  /** A bot's stored definition (its parsed file, secrets masked), or undefined when unknown. */
  async botConfig(botId: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.#query("SELECT config FROM bots WHERE bot_id = ?", [botId]);
    return row ? JSON.parse(String(row.config)) : undefined;
  }

  /** The persisted desired status of every known bot. */
  async desired(): Promise<Map<string, DesiredStatus>> {
    const rows = await this.db.all("SELECT bot_id, desired_status FROM bots");
    return new Map(rows.map((r) => [String(r.bot_id), r.desired_status as DesiredStatus]));
  }

  async setDesired(botId: string, desired: DesiredStatus, at: number): Promise<void> {
    await this.db.transaction(() =>
      this.db.run("UPDATE bots SET desired_status = ?, updated_at = ? WHERE bot_id = ?", [
        desired,
        BigInt(at),
        botId,
      ])
    );
  }

  /** Appends an event (its seq is the next one) and returns it. */
  async appendEvent(botId: string, e: Omit<BotEvent, "seq">): Promise<BotEvent> {
    return await this.db.transaction(async () => {
      const [{ n }] = await this.db.all(
        "SELECT coalesce(max(seq), -1) + 1 AS n FROM bot_events WHERE bot_id = ?",
        [botId],
      );
      const seq = Number(n);
      await this.db.run("INSERT INTO bot_events VALUES (?, ?, ?, ?, ?, ?)", [
        botId,
        seq,
        e.afterTs === null ? null : BigInt(e.afterTs),
        e.kind,
        JSON.stringify(e.payload),
        BigInt(e.at),
      ]);
      return { ...e, seq };
    });
  }

  async events(botId: string): Promise<BotEvent[]> {
    const rows = await this.db.all(
      "SELECT * FROM bot_events WHERE bot_id = ? ORDER BY seq",
      [botId],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      afterTs: r.after_ts === null ? null : Number(r.after_ts),
      kind: r.kind as BotEventKind,
      payload: JSON.parse(String(r.payload)),
      at: Number(r.occurred_at),
    }));
  }

  /** Appends several events of one bot in one transaction (numbered in order). */
  async appendEvents(botId: string, es: readonly Omit<BotEvent, "seq">[]): Promise<BotEvent[]> {
    if (es.length === 0) return [];
    return await this.db.transaction(async () => {
      const [{ n }] = await this.db.all(
        "SELECT coalesce(max(seq), -1) + 1 AS n FROM bot_events WHERE bot_id = ?",
        [botId],
      );
      const first = Number(n);
      const rows = es.map((e, i) => ({
        bot_id: botId,
        seq: first + i,
        after_ts: e.afterTs,
        kind: e.kind,
        payload: JSON.stringify(e.payload),
        occurred_at: e.at,
      }));
      await this.db.run(
        `INSERT INTO bot_events SELECT r.bot_id, r.seq, r.after_ts, r.kind, r.payload::JSON,
           r.occurred_at
         FROM (SELECT unnest(from_json(?::JSON, '[{"bot_id": "VARCHAR", "seq": "INTEGER",
           "after_ts": "BIGINT", "kind": "VARCHAR", "payload": "VARCHAR",
           "occurred_at": "BIGINT"}]')) AS r)`,
        [JSON.stringify(rows)],
      );
      return es.map((e, i) => ({ ...e, seq: first + i }));
    });
  }

  /** Open time of the latest candle whose records are stored (-Infinity: none). */
  async lastRecorded(botId: string): Promise<number> {
    const [{ t }] = await this.db.all("SELECT max(ts) AS t FROM bot_equity WHERE bot_id = ?", [
      botId,
    ]);
    return t === null ? -Infinity : Number(t);
  }

  /** The next fill and trade numbers of a bot (a live bot resumes its numbering after a restart). */
  async nextSeqs(botId: string): Promise<{ fills: number; trades: number }> {
    const [r] = await this.db.all(
      `SELECT (SELECT coalesce(max(seq) + 1, 0) FROM bot_fills WHERE bot_id = ?) AS fills,
              (SELECT coalesce(max(seq) + 1, 0) FROM bot_trades WHERE bot_id = ?) AS trades`,
      [botId, botId],
    );
    return { fills: Number(r.fills), trades: Number(r.trades) };
  }

  /** The client ids of the stored orders of `botId`. */
  async orderIds(botId: string): Promise<Set<string>> {
    const rows = await this.db.all("SELECT client_id FROM bot_orders WHERE bot_id = ?", [botId]);
    return new Set(rows.map((r) => String(r.client_id)));
  }

  /** The correlation ids of the stored orders of `botId` with these client ids. */
  async correlations(botId: string, clientIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (clientIds.length === 0) return out;
    const rows = await this.db.all(
      `SELECT client_id, correlation_id FROM bot_orders WHERE bot_id = ? AND client_id IN (${
        clientIds.map(() => "?").join(", ")
      })`,
      [botId, ...clientIds],
    );
    for (const r of rows) out.set(String(r.client_id), String(r.correlation_id));
    return out;
  }

  /**
   * Writes one candle's records (rows already present are left alone); nothing at all when
   * there are none (an alert's event produces none: no empty transaction for each).
   */
  async write(botId: string, rec: CandleRecords): Promise<void> {
    const keys = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];
    if (!rec.equity && keys.every((key) => rec[key].length === 0)) return;
    await this.db.transaction(async () => {
      for (const key of keys) {
        const [table, cols] = COLUMNS[key];
        for (const row of rec[key]) {
          await this.db.run(
            `INSERT OR IGNORE INTO ${table} (${cols.join(", ")}) VALUES (${
              cols.map(() => "?").join(", ")
            })`,
            cols.map((c) => value(c, c === "bot_id" ? botId : row[c])),
          );
        }
      }
      if (rec.equity) {
        await this.db.run("INSERT OR IGNORE INTO bot_equity VALUES (?, ?, ?, ?)", [
          botId,
          BigInt(Number(rec.equity.ts)),
          Number(rec.equity.equity),
          Number(rec.equity.balance),
        ]);
      }
    });
  }

  /** Deletes a bot's events and records (a fresh paper account); the definition stays. */
  async resetBot(botId: string): Promise<void> {
    await this.db.transaction(async () => {
      for (
        const t of [
          "bot_events",
          "bot_decisions",
          "bot_orders",
          "bot_fills",
          "bot_positions",
          "bot_trades",
          "bot_equity",
          "pending_confirmations",
        ]
      ) {
        await this.db.run(`DELETE FROM ${t} WHERE bot_id = ?`, [botId]);
      }
    });
  }

  /** Sets the status of a pending confirmation. */
  async decidePending(id: string, status: string, at: number, by: string): Promise<void> {
    await this.db.transaction(() =>
      this.db.run(
        "UPDATE pending_confirmations SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'",
        [status, BigInt(at), by, id],
      )
    );
  }

  /** Pending confirmations (all, or of one status), newest first. */
  async pending(status?: string): Promise<Row[]> {
    const rows = await this.#query(
      `SELECT * FROM pending_confirmations ${
        status ? "WHERE status = ?" : ""
      } ORDER BY created_at DESC, id`,
      status ? [status] : [],
    );
    return rows.map((r) => plainRow(r, ["request"]));
  }

  /** A page of one of a bot's record tables, newest first, optionally within [from, to]. */
  async page(
    table: "decisions" | "orders" | "fills" | "positions" | "trades" | "equity",
    botId: string,
    q: { from?: number; to?: number; limit?: number; offset?: number },
  ): Promise<Row[]> {
    const tsCol = table === "trades" ? "exit_ts" : "ts";
    const where = ["bot_id = ?"];
    const params: (string | bigint | number)[] = [botId];
    if (q.from !== undefined) (where.push(`${tsCol} >= ?`), params.push(BigInt(q.from)));
    if (q.to !== undefined) (where.push(`${tsCol} <= ?`), params.push(BigInt(q.to)));
    const order = table === "equity"
      ? "ts DESC"
      : `${tsCol} DESC, ${
        table === "decisions" ? "n" : table === "orders" ? "client_id" : "seq"
      } DESC`;
    const rows = await this.#query(
      `SELECT * FROM bot_${table} WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ? OFFSET ?`,
      [...params, q.limit ?? 100, q.offset ?? 0],
    );
    return rows.map((r) => plainRow(r, ["signal", "orders", "request"]));
  }

  /** Every trade of a bot, oldest first. */
  async trades(botId: string): Promise<Trade[]> {
    const rows = await this.#query("SELECT * FROM bot_trades WHERE bot_id = ? ORDER BY seq", [
      botId,
    ]);
    return rows.map((r) => {
      const p = plainRow(r);
      delete p.bot_id;
      delete p.seq;
      return p as unknown as Trade;
    });
  }

  /** Appends to the audit log. */
  async audit(
    e: {
      at: number;
      action: string;
      target?: string;
      surface: string;
      actor: string;
      outcome: string;
      details?: unknown;
    },
  ): Promise<void> {
    await this.db.transaction(() =>
      this.db.run(
        "INSERT INTO audit_log (occurred_at, action, target, surface, actor, outcome, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
          BigInt(e.at),
          e.action,
          e.target ?? null,
          e.surface,
          e.actor,
          e.outcome,
          JSON.stringify(e.details ?? {}),
        ],
      )
    );
  }

  async auditLog(limit = 100): Promise<Row[]> {
    const rows = await this.#query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?", [limit]);
    return rows.map((r) => plainRow(r, ["details"]));
  }

  /** Records an incident (a bot failed, the feed failed...). */
  async incident(
    e: { at: number; botId?: string; kind: string; message: string; restartInMs?: number },
  ): Promise<void> {
    await this.db.transaction(() =>
      this.db.run(
        "INSERT INTO incidents (occurred_at, bot_id, kind, message, restart_in_ms) VALUES (?, ?, ?, ?, ?)",
        [
          BigInt(e.at),
          e.botId ?? null,
          e.kind,
          e.message,
          e.restartInMs === undefined ? null : BigInt(e.restartInMs),
        ],
      )
    );
  }

  async incidents(botId?: string, limit = 100): Promise<Row[]> {
    const rows = await this.#query(
      `SELECT * FROM incidents ${botId ? "WHERE bot_id = ?" : ""} ORDER BY seq DESC LIMIT ?`,
      botId ? [botId, limit] : [limit],
    );
    return rows.map((r) => plainRow(r));
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    const rows = await this.#query("SELECT value FROM settings WHERE key = ?", [key]);
    return rows.length ? JSON.parse(String(rows[0].value)) as T : undefined;
  }

  async setSetting(key: string, v: unknown): Promise<void> {
    await this.db.transaction(() =>
      this.db.run("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, JSON.stringify(v)])
    );
  }
}
