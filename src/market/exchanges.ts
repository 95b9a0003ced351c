// Venue quirks as data: one row per supported exchange, read by the one ccxt adapter.

import { ConfigError } from "../core/errors.ts";

/** What Tidewatch needs to know about an exchange beyond what ccxt already knows. */
export interface ExchangeInfo {
  /** ccxt class id. */
  ccxtId: "okx" | "binanceusdm" | "bybit" | "coinbase";
  /** Human name for messages. */
  label: string;
  /** Most candles one `fetchOHLCV` call returns on the paging endpoint we use. */
  maxCandlesPerCall: number;
  /** Environment variable that overrides the REST origin (proxies, tests). */
  urlEnv: string;
  /** Environment variable that overrides the websocket origin (proxies, tests). */
  wsUrlEnv: string;
  /**
   * Timeframes whose websocket candles sit on the UTC grid (undefined: all of them). OKX streams
   * 6h and longer bars on Hong Kong time (ccxt subscribes `candle1D`, not `candle1Dutc`), so the
   * live feed follows those over REST only.
   */
  wsCandleTimeframes?: readonly string[];
  /** Market type used when a symbol is ambiguous. */
  defaultType: "spot" | "swap";
}

const TABLE: Record<string, ExchangeInfo> = {
  okx: {
    ccxtId: "okx",
    label: "OKX",
    maxCandlesPerCall: 100,
    urlEnv: "TIDEWATCH_OKX_URL",
    wsUrlEnv: "TIDEWATCH_OKX_WS_URL",
    wsCandleTimeframes: ["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h"],
    defaultType: "spot",
  },
  binanceusdm: {
    ccxtId: "binanceusdm",
    label: "Binance USDT-M futures",
    maxCandlesPerCall: 1000,
    urlEnv: "TIDEWATCH_BINANCEUSDM_URL",
    wsUrlEnv: "TIDEWATCH_BINANCEUSDM_WS_URL",
    defaultType: "swap",
  },
  bybit: {
    ccxtId: "bybit",
    label: "Bybit",
    maxCandlesPerCall: 1000,
    urlEnv: "TIDEWATCH_BYBIT_URL",
    wsUrlEnv: "TIDEWATCH_BYBIT_WS_URL",
    defaultType: "spot",
  },
  coinbase: {
    ccxtId: "coinbase",
    label: "Coinbase",
    maxCandlesPerCall: 300,
    urlEnv: "TIDEWATCH_COINBASE_URL",
    wsUrlEnv: "TIDEWATCH_COINBASE_WS_URL",
    defaultType: "spot",
  },
};

const ALIASES: Record<string, string> = {
  "binance-usdm": "binanceusdm",
  "binance_usdm": "binanceusdm",
  "binance": "binanceusdm",
};

/** Names accepted by `--exchange`. */
export const EXCHANGE_NAMES = Object.keys(TABLE);

/**
 * Looks up an exchange by name (case-insensitive; "binance" means Binance USDT-M).
 * Throws a ConfigError listing the supported names when unknown.
 */
export function exchangeInfo(name: string): ExchangeInfo {
  const key = name.toLowerCase();
  const info = TABLE[ALIASES[key] ?? key];
  if (!info) {
    throw new ConfigError(
      `Exchange "${name}" is not supported: use one of ${EXCHANGE_NAMES.join(", ")}.`,
    );
  }
  return info;
}
