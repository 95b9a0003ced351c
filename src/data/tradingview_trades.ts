// TradingView's exported "List of trades" CSV as a stream of external signals, and a small CSV reader.

import { InputError } from "../core/errors.ts";
import type { SignalSide } from "../core/trading.ts";

/** One signal read from a file: shaped like the signals strategy's ExternalSignal. */
export interface TradeSignal {
  /** When (UTC ms). */
  ts: number;
  side: SignalSide;
  /** Stop-loss price (alert files). */
  sl?: number;
  /** Take-profit price (alert files). */
  tp?: number;
  /** The price TradingView filled at (informational: Tidewatch fills by its own rules). */
  price?: number;
  /** The trade number in TradingView's list. */
  trade?: number;
  /** The "Signal" column (the order's id or comment), with the trade number. */
  reason?: string;
}

/** Options of {@link readTradingViewTrades}. */
export interface TradingViewTradesOptions {
  /**
   * Offset of the chart's time zone from UTC in minutes (TradingView writes times in the chart's
   * zone): 60 for UTC+1. Default 0 (a chart set to UTC).
   */
  utcOffsetMinutes?: number;
}

/**
 * A CSV file as rows of fields: commas, double quotes ("" inside quotes), CRLF or LF, a leading
 * byte-order mark dropped. `lines[i]` is the 1-based line each row starts on.
 */
export function readCsvRows(text: string): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [];
  const lines: number[] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    field = "";
    if (row.length > 1 || row[0].trim() !== "") {
      rows.push(row);
      lines.push(start);
    }
    row = [];
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === "") {
      field = "";
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      endRow();
      line++;
      start = line;
    } else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length) endRow();
  return { rows, lines };
}

/** The columns read, each matched by the start of its header (case-insensitive). */
const COLUMNS = {
  trade: ["trade #", "trade"],
  type: ["type"],
  signal: ["signal"],
  time: ["date/time", "date and time", "date", "time"],
  price: ["price"],
} as const;

/**
 * Reads TradingView's "List of trades" export (Strategy Tester → List of trades → Export) as
 * signals: "Entry long" → long, "Entry short" → short, "Exit long/short" → exit, at the row's
 * date and price, the "Signal" column as the reason; sorted by time, an exit before an entry at
 * the same time (a reversal). Headers are matched by their start ("Price USDT", "Price USD",
 * "Date/Time", "Date and time"), other columns ignored. The exit of a trade still open (signal
 * "Open") is skipped. Throws an InputError naming the line and column of the first bad value.
 *
 * @example
 * ```ts
 * const signals = readTradingViewTrades(await Deno.readTextFile("trades.csv"), "trades.csv");
 * backtest({ strategy: "signals", params: { signals }, ... });
 * ```
 */
export function readTradingViewTrades(
  text: string,
  source: string,
  options: TradingViewTradesOptions = {},
): TradeSignal[] {
  const { rows, lines } = readCsvRows(text);
  if (!rows.length) throw new InputError(`${source} is empty: export the List of trades again`);
  const head = rows[0].map((h) => h.trim());
  const at = (names: readonly string[]) => {
    for (const n of names) {
      const i = head.findIndex((h) => h.toLowerCase().startsWith(n));
      if (i >= 0) return i;
    }
    return -1;
  };
  const col = {
    trade: at(COLUMNS.trade),
    type: at(COLUMNS.type),
    signal: at(COLUMNS.signal),
    time: at(COLUMNS.time),
    price: at(COLUMNS.price),
  };
  const missing = (["type", "time", "price"] as const).filter((k) => col[k] < 0);
  if (missing.length) {
    throw new InputError(
      `${source}: line ${lines[0]}: no ${
        missing.map((m) => `"${{ type: "Type", time: "Date/Time", price: "Price" }[m]}"`).join(", ")
      } column; the header is ${JSON.stringify(head.join(","))}: export TradingView's List of ` +
        "trades (Strategy Tester → List of trades → Export)",
    );
  }
  const offsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
  const out: (TradeSignal & { order: number })[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const where = (c: number) => `${source}: line ${lines[r]}, column "${head[c]}"`;
    const cell = (c: number) => (row[c] ?? "").trim();
    const type = cell(col.type).toLowerCase();
    const m = /^(entry|exit)\s+(long|short)$/.exec(type);
    if (!m) {
      throw new InputError(
        `${where(col.type)}: ${JSON.stringify(cell(col.type))} is not a trade type: expected ` +
          '"Entry long", "Exit long", "Entry short" or "Exit short"',
      );
    }
    const signal = col.signal >= 0 ? cell(col.signal) : "";
    if (m[1] === "exit" && signal.toLowerCase() === "open") continue;
    const ts = parseDateTime(cell(col.time));
    if (ts === undefined) {
      throw new InputError(
        `${where(col.time)}: ${JSON.stringify(cell(col.time))} is not a date such as ` +
          '"2024-01-02 13:00"',
      );
    }
    const priceText = cell(col.price);
    const price = Number(priceText);
    if (priceText === "" || !Number.isFinite(price) || price <= 0) {
      throw new InputError(
        `${where(col.price)}: ${JSON.stringify(priceText)} is not a positive price`,
      );
    }
    let trade: number | undefined;
    if (col.trade >= 0 && cell(col.trade) !== "") {
      trade = Number(cell(col.trade));
      if (!Number.isInteger(trade)) {
        throw new InputError(
          `${where(col.trade)}: ${JSON.stringify(cell(col.trade))} is not a trade number`,
        );
      }
    }
    const side: SignalSide = m[1] === "exit" ? "exit" : m[2] as SignalSide;
    const reason = [trade !== undefined ? `TradingView trade ${trade}` : "TradingView", signal]
      .filter(Boolean).join(": ");
    out.push({
      ts: ts - offsetMs,
      side,
      price,
      ...(trade !== undefined ? { trade } : {}),
      reason,
      order: side === "exit" ? 0 : 1,
    });
  }
  out.sort((a, b) => a.ts - b.ts || a.order - b.order || (a.trade ?? 0) - (b.trade ?? 0));
  return out.map(({ order: _, ...s }) => s);
}

/**
 * "2024-01-02 13:00" (TradingView), with optional seconds, "T", or a zone; or epoch ms / s.
 * Times without a zone are UTC. Undefined when it is none of these.
 */
export function parseDateTime(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{12,14}$/.test(t)) return Number(t);
  if (/^\d{9,11}$/.test(t)) return Number(t) * 1000;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i
      .exec(t);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(ms) || +mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59) {
    return undefined;
  }
  if (!zone || zone.toUpperCase() === "Z") return ms;
  const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  return ms - (z[1] === "-" ? -1 : 1) * (+z[2] * 60 + +z[3]) * 60_000;
}
