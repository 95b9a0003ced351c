// The bot tables' rows: event and record types, insert column orders and value conversions.

import type { Row } from "./db.ts";

/** Something that happened to a bot from outside its candles (replayed on restart). */
export interface BotEvent {
  seq: number;
  /** Open time of the last candle processed before it took effect (null: before any). */
  afterTs: number | null;
  kind: BotEventKind;
  payload: Record<string, unknown>;
  /** Wall-clock ms. */
  at: number;
}

/** Kinds of {@link BotEvent}. */
export type BotEventKind =
  | "start"
  | "stop"
  | "pause"
  | "resume"
  | "confirm"
  | "reject"
  | "expire"
  | "require_confirmation"
  | "flatten"
  | "alert";

/** A bot's desired status, persisted so a restart runs the same bots. */
export type DesiredStatus = "running" | "paused" | "stopped";

/** Everything one processed candle produced, written in one transaction. */
export interface CandleRecords {
  decisions: Row[];
  orders: Row[];
  fills: Row[];
  positions: Row[];
  trades: Row[];
  equity?: Row;
  pending: Row[];
}

/** Rows are inserted in this column order. */
export const COLUMNS: Record<keyof Omit<CandleRecords, "equity">, [string, string[]]> = {
  decisions: [
    "bot_decisions",
    [
      "bot_id",
      "ts",
      "n",
      "correlation_id",
      "symbol",
      "strategy_version",
      "side",
      "confidence",
      "signal",
      "outcome",
      "code",
      "reason",
      "orders",
    ],
  ],
  orders: [
    "bot_orders",
    ["bot_id", "client_id", "correlation_id", "ts", "symbol", "side", "type", "request"],
  ],
  fills: [
    "bot_fills",
    [
      "bot_id",
      "seq",
      "correlation_id",
      "client_id",
      "ts",
      "symbol",
      "side",
      "qty",
      "price",
      "fee",
      "liquidity",
      "exit_reason",
    ],
  ],
  positions: [
    "bot_positions",
    ["bot_id", "seq", "correlation_id", "ts", "symbol", "side", "qty", "entry_price"],
  ],
  trades: [
    "bot_trades",
    [
      "bot_id",
      "seq",
      "symbol",
      "side",
      "entry_ts",
      "exit_ts",
      "qty",
      "entry_price",
      "exit_price",
      "fees",
      "funding",
      "pnl",
      "exit_reason",
    ],
  ],
  pending: [
    "pending_confirmations",
    [
      "id",
      "bot_id",
      "correlation_id",
      "client_id",
      "ts",
      "request",
      "created_at",
      "expires_at",
      "status",
    ],
  ],
};

const BIG = new Set(["ts", "entry_ts", "exit_ts", "created_at", "expires_at", "after_ts"]);

// deno-lint-ignore no-explicit-any
export function value(col: string, v: unknown): any {
  if (v === undefined || v === null) return null;
  if (BIG.has(col)) return BigInt(Math.round(Number(v)));
  if (typeof v === "object") return JSON.stringify(v);
  return v;
}

/** Converts DuckDB values (bigint, JSON text) back to plain numbers and objects. */
export function plainRow(r: Row, json: readonly string[] = []): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = typeof v === "bigint"
      ? Number(v)
      : json.includes(k) && typeof v === "string"
      ? JSON.parse(v)
      : v;
  }
  return out;
}
