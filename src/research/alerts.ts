// The notebook's backtest, which also replays alerts: `backtest({ alerts })` runs the signals
// strategy on a bot's alerts, an alerts file or TradingView's List of trades.

import {
  backtest as runBacktest,
  type BacktestConfig,
  type BacktestResult,
  type BacktestRunOptions,
} from "../backtest/run.ts";
import type { CandleColumns } from "../core/candles.ts";
import type { ExternalSignal } from "../core/trading.ts";
import { type AlertReplay, loadAlertReplay } from "../service/alert_replay.ts";
import { Db } from "../store/db.ts";
import { dbPath } from "../store/paths.ts";

/** A notebook backtest: the engine's settings, or alerts to replay with the signals strategy. */
export type NotebookBacktestConfig =
  | BacktestConfig
  | (Omit<BacktestConfig, "strategy"> & {
    /** Only "signals" replays alerts [signals]. */
    strategy?: "signals";
    /**
     * A bot id (the alerts it was given), a file (`.json`/`.csv` alerts, or TradingView's
     * exported List of trades `.csv`), or the signals themselves.
     */
    alerts: string | readonly ExternalSignal[];
    /** The database holding a bot's alerts [TIDEWATCH_DATA_DIR's]. */
    db?: string;
  });

/**
 * The alerts `source` names, as signals (see `deno task backtest --alerts`): a bot id reads
 * them from the database (`db`, default the data folder's), a file path from the file.
 */
export async function alertSignals(
  source: string,
  options: { db?: string } = {},
): Promise<AlertReplay> {
  if (/\.(json|csv)$/i.test(source)) return await loadAlertReplay(source);
  const db = await Db.open(dbPath(options.db));
  try {
    return await loadAlertReplay(source, { db });
  } finally {
    await db.close();
  }
}

/**
 * Runs a backtest over `candles`; with `alerts`, the signals strategy replays them (the same
 * engine, fees, slippage and risk gate as the bot).
 *
 * @example
 * ```ts
 * const r = await backtest({ alerts: "trades.csv", symbol: "BTC/USDT", timeframe: "1h" }, candles);
 * ```
 */
export async function backtest(
  config: NotebookBacktestConfig,
  candles: CandleColumns | Record<string, CandleColumns>,
  options: BacktestRunOptions = {},
): Promise<BacktestResult> {
  if (!("alerts" in config)) return await runBacktest(config, candles, options);
  const { alerts, db, ...rest } = config;
  const signals = typeof alerts === "string" ? (await alertSignals(alerts, { db })).signals : [
    ...alerts,
  ];
  return await runBacktest(
    { ...rest, strategy: "signals", params: { ...rest.params, signals } },
    candles,
    options,
  );
}
