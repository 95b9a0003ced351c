// Alerts as a backtest's input: the alerts a bot was given (from its stored events), an alerts
// file (JSON or CSV) or TradingView's exported "List of trades", as the signals strategy's list.

import { InputError } from "../core/errors.ts";
import type { ExternalSignal } from "../core/trading.ts";
import {
  readCsvRows,
  readTradingViewTrades,
  type TradeSignal,
} from "../data/tradingview_trades.ts";
import { BotStore } from "../store/bot_store.ts";
import type { Db } from "../store/db.ts";
import { readAlertsFile } from "./alert_files.ts";

/** Signals to replay and where they came from; a bot's market when they are a bot's alerts. */
export interface AlertReplay {
  signals: ExternalSignal[];
  /** "bot tv_01 (12 alerts)", "alerts.csv (40 alerts)", "TradingView trades.csv (18 trades)". */
  from: string;
  /** The bot whose alerts these are. */
  bot?: string;
  /** The bot's market and timeframe (defaults for the backtest), when its file names them. */
  market?: { exchange: string; symbol: string; timeframe: string };
}

/** Options of {@link loadAlertReplay}. */
export interface AlertReplayOptions {
  /** The database holding the bot's events (needed for a bot id). */
  db?: Db;
  /** TradingView's chart time zone offset from UTC in minutes, for a List of trades [0]. */
  utcOffsetMinutes?: number;
}

/**
 * What `--alerts SOURCE` (CLI) or `backtest({ alerts })` (notebook) replays. SOURCE is a file
 * (`.json` or `.csv`: a list of alert messages as the webhook takes them, each with a time; or a
 * CSV exported from TradingView's Strategy Tester, "List of trades", recognised by its
 * "Trade #" column) or a bot id: exactly the alerts that bot was given, at the times it got them
 * (its stored events), so the backtest can be compared with what the bot did.
 */
export async function loadAlertReplay(
  source: string,
  o: AlertReplayOptions = {},
): Promise<AlertReplay> {
  if (/\.(json|csv)$/i.test(source)) {
    let text: string;
    try {
      text = await Deno.readTextFile(source);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new InputError(`--alerts: no file ${source}.`);
      }
      throw err;
    }
    if (/\.csv$/i.test(source) && isTradeList(text)) {
      const trades = readTradingViewTrades(text, source, { utcOffsetMinutes: o.utcOffsetMinutes });
      return {
        signals: trades.map(toExternal),
        from: `TradingView ${source} (${trades.length} signals)`,
      };
    }
    const alerts = readAlertsFile(text, source);
    return { signals: alerts.map(toExternal), from: `${source} (${alerts.length} alerts)` };
  }
  if (!o.db) throw new InputError(`--alerts ${source}: a bot id needs the database.`);
  const store = new BotStore(o.db);
  const config = await store.botConfig(source);
  if (!config) {
    throw new InputError(
      `--alerts "${source}" is neither a file (.json or .csv) nor a bot in this database.`,
    );
  }
  const signals = (await store.events(source))
    .filter((e) => e.kind === "alert")
    .map((e) => e.payload.signal as ExternalSignal);
  if (signals.length === 0) throw new InputError(`Bot "${source}" was given no alerts yet.`);
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const symbol = text(config.symbol);
  return {
    signals,
    from: `bot ${source} (${signals.length} alerts)`,
    bot: source,
    market: symbol === undefined ? undefined : {
      exchange: text(config.exchange) ?? "okx",
      symbol,
      timeframe: text(config.timeframe) ?? "1m",
    },
  };
}

/** Whether a CSV is TradingView's "List of trades" (its first column is "Trade #"). */
function isTradeList(text: string): boolean {
  const { rows } = readCsvRows(text.slice(0, 2000));
  return /^trade\s*#/i.test(rows[0]?.[0]?.trim() ?? "");
}

function toExternal(t: TradeSignal): ExternalSignal {
  return {
    ts: t.ts,
    side: t.side,
    ...(t.sl !== undefined ? { sl: t.sl } : {}),
    ...(t.tp !== undefined ? { tp: t.tp } : {}),
    ...(t.reason !== undefined ? { reason: t.reason.slice(0, 500) } : {}),
  };
}
