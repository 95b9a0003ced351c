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
  /**
   * Live trading of linear perpetuals (USDT-margined swaps): what the venue supports. Without
   * it the live broker refuses derivatives markets of the exchange.
   */
  derivatives?: DerivativesInfo;
  /** The ccxt `fetchMyTrades` param that selects one order's fills (default "ordId", OKX). */
  orderTradesParam?: string;
  /**
   * The ccxt param carrying our client id on a trigger (conditional) order, besides
   * `clientOrderId` (OKX "algoClOrdId"; unset: ccxt maps `clientOrderId` itself).
   */
  triggerClientIdParam?: string;
}

/** How an exchange trades linear perpetuals live (venue data, read by the live broker). */
export interface DerivativesInfo {
  /** `setLeverage(leverage, symbol)` is set before the first order of a symbol. */
  leverage: true;
  /** `fetchPositions` reports the account's positions (compared with the ledger at start-up). */
  positions: true;
  /** `reduceOnly: true` is sent on exits. */
  reduceOnly: true;
  /** Margin mode set with `setMarginMode` before the first order of a symbol. */
  marginMode: "isolated";
  /**
   * `fetchFundingHistory(symbol, since)` lists the account's funding payments: the live broker
   * books them into the ledger and the journal (src/live/funding.ts). Unset: funding is not booked.
   */
  funding?: true;
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
    triggerClientIdParam: "algoClOrdId",
  },
  binanceusdm: {
    ccxtId: "binanceusdm",
    label: "Binance USDT-M futures",
    maxCandlesPerCall: 1000,
    urlEnv: "TIDEWATCH_BINANCEUSDM_URL",
    wsUrlEnv: "TIDEWATCH_BINANCEUSDM_WS_URL",
    defaultType: "swap",
    derivatives: {
      leverage: true,
      positions: true,
      reduceOnly: true,
      marginMode: "isolated",
      funding: true,
    },
    orderTradesParam: "orderId",
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

/** The row of `name`, else of the ccxt id `ccxtId`, else undefined (no error). */
export function findExchangeInfo(name: string, ccxtId?: string): ExchangeInfo | undefined {
  for (const n of [name, ccxtId]) {
    if (n === undefined) continue;
    const key = n.toLowerCase();
    const info = TABLE[ALIASES[key] ?? key];
    if (info) return info;
  }
  return undefined;
}

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
