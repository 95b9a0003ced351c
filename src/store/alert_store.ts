// Webhook alerts in DuckDB: the journal's lines copied in batches, their fate, and the listing.

import type { DuckDBValue } from "@duckdb/node-api";
import type { AlertRecord, KnownKey } from "./alert_journal.ts";
import type { Db, Row, StoreOptions } from "./db.ts";

/** What became of an alert. */
export type AlertState =
  | "received"
  | "duplicate"
  | "accepted"
  | "refused"
  | "pending"
  | "sent"
  | "filled";

/** Every {@link AlertState}, in the order an alert goes through them. */
export const ALERT_STATES: readonly AlertState[] = [
  "received",
  "duplicate",
  "accepted",
  "refused",
  "pending",
  "sent",
  "filled",
];

/** A stored alert with its fate. */
export interface StoredAlert extends AlertRecord {
  state: AlertState;
  /** The risk rule that refused it, if one did. */
  rule?: string;
  /** Why it is in its state (a refusal's reason). */
  reason?: string;
  /** Wall-clock ms of its last change. */
  updated_at: number;
}

/** A page of alerts, newest first; every filter optional. */
export interface AlertQuery {
  bot?: string;
  state?: AlertState;
  /** Received at or after (UTC ms). */
  from?: number;
  /** Received at or before (UTC ms). */
  to?: number;
  /** [100] */
  limit?: number;
  /** [0] */
  offset?: number;
}

const COLUMNS =
  "seq, received_at, source, bot_id, key, body, state, duplicate_of, rule, reason, updated_at";

const COPY_SQL = `
  INSERT OR IGNORE INTO alerts
    (seq, received_at, source, bot_id, key, body, state, duplicate_of, updated_at)
  SELECT r.seq, r.received_at, r.source, r.bot_id, r.key, r.body, r.state, r.duplicate_of,
         r.updated_at
  FROM (SELECT unnest(from_json(?::JSON, '[{"seq": "BIGINT", "received_at": "BIGINT",
    "source": "VARCHAR", "bot_id": "VARCHAR", "key": "VARCHAR", "body": "VARCHAR",
    "state": "VARCHAR", "duplicate_of": "BIGINT", "updated_at": "BIGINT"}]')) AS r)`;

const SET_STATES_SQL = `
  UPDATE alerts SET state = u.state, rule = u.rule, reason = u.reason, updated_at = u.updated_at
  FROM (SELECT r.seq, r.state, r.rule, r.reason, r.updated_at
        FROM (SELECT unnest(from_json(?::JSON, '[{"seq": "BIGINT", "state": "VARCHAR",
          "rule": "VARCHAR", "reason": "VARCHAR", "updated_at": "BIGINT"}]')) AS r)) AS u
  WHERE alerts.seq = u.seq`;

/**
 * The `alerts` table. Copies are idempotent by seq (a batch copied again after a crash is
 * ignored), so the journal can be replayed into it any number of times.
 */
export class AlertStore {
  readonly #reader: boolean;

  constructor(private readonly db: Db, options: StoreOptions = {}) {
    this.#reader = options.readConnection ?? false;
  }

  #all(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    return this.#reader ? this.db.read(sql, params) : this.db.all(sql, params);
  }

  /**
   * Copies journal records in one statement: the batch goes to DuckDB as one JSON parameter and
   * is unnested there (binding a parameter a value held the event loop for tens of ms, delaying
   * the webhook's answers). State "received", or "duplicate" for a repeat; records already
   * stored are left as they are.
   */
  async copy(records: readonly AlertRecord[], now: number): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((r) => ({
      seq: r.seq,
      received_at: r.received_at,
      // Lone surrogates (from a JSON "\ud800" escape) would make DuckDB refuse the batch.
      source: r.source.toWellFormed(),
      bot_id: r.bot_id.toWellFormed(),
      key: r.key.toWellFormed(),
      body: r.body.toWellFormed(),
      state: r.duplicate_of === undefined ? "received" : "duplicate",
      duplicate_of: r.duplicate_of ?? null,
      updated_at: now,
    }));
    await this.db.run(COPY_SQL, [JSON.stringify(rows)]);
  }

  /** Records an alert's new state (and the rule and reason of a refusal). */
  async setState(
    seq: number,
    state: AlertState,
    o: { rule?: string; reason?: string; now: number },
  ): Promise<void> {
    await this.db.run(
      "UPDATE alerts SET state = ?, rule = ?, reason = ?, updated_at = ?::BIGINT WHERE seq = ?",
      [state, o.rule ?? null, o.reason ?? null, o.now, seq],
    );
  }

  /**
   * Records many alerts' new states in one statement (the batch as one JSON parameter, like
   * {@link copy}); a seq named twice keeps its last state.
   */
  async setStates(
    changes: readonly { seq: number; state: AlertState; rule?: string; reason?: string }[],
    now: number,
  ): Promise<void> {
    if (changes.length === 0) return;
    const last = new Map(changes.map((c) => [c.seq, c]));
    const rows = [...last.values()].map((c) => ({
      seq: c.seq,
      state: c.state,
      rule: c.rule?.toWellFormed() ?? null,
      reason: c.reason?.toWellFormed().slice(0, 2000) ?? null,
      updated_at: now,
    }));
    await this.db.run(SET_STATES_SQL, [JSON.stringify(rows)]);
  }

  /** Alerts matching `q`, newest first, with the total matching. */
  async list(q: AlertQuery = {}): Promise<{ total: number; alerts: StoredAlert[] }> {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    if (q.bot !== undefined) (where.push("bot_id = ?"), params.push(q.bot));
    if (q.state !== undefined) (where.push("state = ?"), params.push(q.state));
    if (q.from !== undefined) (where.push("received_at >= ?::BIGINT"), params.push(q.from));
    if (q.to !== undefined) (where.push("received_at <= ?::BIGINT"), params.push(q.to));
    const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const [count] = await this.#all(`SELECT count(*) AS n FROM alerts ${w}`, params);
    const rows = await this.#all(
      `SELECT ${COLUMNS} FROM alerts ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`,
      [...params, q.limit ?? 100, q.offset ?? 0],
    );
    return { total: Number(count.n), alerts: rows.map(toAlert) };
  }

  /** Alerts not yet past "received", oldest first (to process after a restart). */
  async unprocessed(): Promise<StoredAlert[]> {
    const rows = await this.#all(
      `SELECT ${COLUMNS} FROM alerts WHERE state = 'received' ORDER BY seq`,
    );
    return rows.map(toAlert);
  }

  /** The highest seq stored (0 when none). */
  async maxSeq(): Promise<number> {
    const [r] = await this.#all("SELECT coalesce(max(seq), 0) AS s FROM alerts");
    return Number(r.s);
  }

  /**
   * The de-duplication keys to rebuild at start: every alert id ever received, and the body
   * keys received at or after `since` (the window).
   */
  async knownKeys(since: number): Promise<KnownKey[]> {
    const rows = await this.#all(
      `SELECT key, min(seq) AS seq, min(received_at) AS received_at FROM alerts
       WHERE duplicate_of IS NULL AND (key LIKE 'id:%' OR received_at >= ?::BIGINT)
       GROUP BY key`,
      [since],
    );
    return rows.map((r) => ({
      key: String(r.key),
      seq: Number(r.seq),
      received_at: Number(r.received_at),
    }));
  }
}

function toAlert(r: Row): StoredAlert {
  return {
    seq: Number(r.seq),
    received_at: Number(r.received_at),
    source: String(r.source),
    bot_id: String(r.bot_id),
    key: String(r.key),
    body: String(r.body),
    state: String(r.state) as AlertState,
    ...(r.duplicate_of === null ? {} : { duplicate_of: Number(r.duplicate_of) }),
    ...(r.rule === null ? {} : { rule: String(r.rule) }),
    ...(r.reason === null ? {} : { reason: String(r.reason) }),
    updated_at: Number(r.updated_at),
  };
}
