// The fake Binance USDT-M public REST: ping, time, exchangeInfo, klines, 24 h tickers and
// Binance's error bodies, served from fake_market_data.ts by the server in fake_rest_server.ts.
//
// What ccxt 4.5.84 sends (read from its source, checked by fake_exchange_test.ts):
// - binanceusdm `loadMarkets()`: `GET /fapi/v1/exchangeInfo` only (fetchMarkets types ["linear"]).
// - binanceusdm `fetchOHLCV`: `GET /fapi/v1/klines?interval&limit&symbol[&startTime]` with
//   `limit = min(limit, 1000)` (500 when not given): ccxt never asks for more than 1000.
// - `fetchTickers(undefined, { type })`: `GET /fapi/v1/ticker/24hr`. The figures are the rolling
//   24 h (`now - 24h`, `now`] of the market's finest seeded series; quote volume at the typical
//   price, as in candle rows.
//
// Candle semantics modelled on the real API:
// - A candle exists once it has opened (`ts <= nowMs`); later seeded candles are not served.
// - The still-open candle (`ts <= nowMs < ts + tf`) IS served, with a `closeTime` in the future.
// - `startTime`/`endTime` inclusive on open time; with `startTime` the oldest `limit` matches,
//   without it the newest `limit`; oldest first; `limit` default 500, above 1500 answers 1500
//   (clamped; the real API's answer to more is not verified).
// - Volumes: index 5 = base volume. Quote volumes, trade counts and taker volumes are synthetic
//   but consistent.

import type { Candle } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";
import type { FakeMarket, FakeMarketData, Ticker24h } from "./fake_market_data.ts";
import type { FakeVenueRest } from "./fake_rest_server.ts";
import {
  decimals,
  fixed,
  gatewayPage,
  json,
  parseLimit,
  parseTime,
  type Query,
  type Reply,
  round8,
} from "./fake_rest_wire.ts";

const MAX_LIMIT = 1500;
const DEFAULT_LIMIT = 500;

/**
 * Kline intervals USDT-M accepts, REST `interval` and websocket `@kline_<interval>` (fake_ws.ts);
 * the REST also accepts month bars, not modelled.
 */
export const BINANCE_INTERVALS = new Set([
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
]);

/** Binance USDT-M's public endpoints over the fake's market data. */
export class BinancePublicRest implements FakeVenueRest {
  readonly venue = "binanceusdm";
  readonly prefix = "/fapi/";

  constructor(private readonly data: FakeMarketData) {}

  isCandles(path: string): boolean {
    return path === "/fapi/v1/klines";
  }

  get(path: string, q: Query): Reply {
    switch (path) {
      case "/fapi/v1/ping":
        return json(200, {});
      case "/fapi/v1/time":
        return json(200, { serverTime: this.data.now });
      case "/fapi/v1/exchangeInfo":
        return json(200, this.#exchangeInfo());
      case "/fapi/v1/klines":
        return this.#klines(q);
      case "/fapi/v1/ticker/24hr":
        return this.#tickers(q);
      default:
        return this.notFound("GET", path);
    }
  }

  notFound(method: string, path: string): Reply {
    return error(-5000, `Path ${path}, Method ${method} is invalid`, 404);
  }

  failure(status: number): Reply {
    if (status >= 500) return gatewayPage(status);
    if (status === 429) {
      return json(429, {
        code: -1003,
        msg: "Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. " +
          "Please use the websocket for live updates to avoid polling the API.",
      }, { "retry-after": "1" });
    }
    if (status === 418) {
      return json(418, {
        code: -1003,
        msg: `Way too many requests; IP(127.0.0.1) banned until ${this.data.now + 120_000}. ` +
          "Please use the websocket for live updates to avoid bans.",
      }, { "retry-after": "120" });
    }
    return error(-1000, "An unknown error occurred while processing the request.", status);
  }

  #exchangeInfo(): unknown {
    const markets = this.data.listed("binanceusdm");
    const assets = [...new Set(markets.flatMap((m) => [m.quote]))].sort();
    return {
      timezone: "UTC",
      serverTime: this.data.now,
      futuresType: "U_MARGINED",
      rateLimits: [
        { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 2400 },
        { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
        { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 300 },
      ],
      exchangeFilters: [],
      assets: assets.map((asset) => ({
        asset,
        marginAvailable: true,
        autoAssetExchange: "-10000",
      })),
      symbols: markets.map(symbolRow),
    };
  }

  /** `GET /fapi/v1/ticker/24hr[?symbol]`: an array of every listed market, or one object. */
  #tickers(q: Query): Reply {
    if (q.symbol) {
      const m = this.data.byId("binanceusdm", q.symbol);
      if (!m) return error(-1121, "Invalid symbol.");
      return json(200, tickerRow(m, this.data.ticker24h(m), this.data.now));
    }
    const markets = this.data.listed("binanceusdm");
    return json(200, markets.map((m) => tickerRow(m, this.data.ticker24h(m), this.data.now)));
  }

  #klines(q: Query): Reply {
    if (!q.symbol) {
      return error(
        -1102,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      );
    }
    if (!q.interval) {
      return error(
        -1102,
        "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
      );
    }
    const m = this.data.byId("binanceusdm", q.symbol);
    if (!m) return error(-1121, "Invalid symbol.");
    const month = q.interval === "1M";
    if (!BINANCE_INTERVALS.has(q.interval) && !month) {
      return error(-1120, "Invalid interval.");
    }
    const limit = parseLimit(q.limit, DEFAULT_LIMIT, MAX_LIMIT);
    if (limit === undefined) {
      return error(-1130, "Data sent for parameter 'limit' is not valid.");
    }
    const start = parseTime(q.startTime);
    const end = parseTime(q.endTime);
    if (start === null) {
      return error(-1100, "Illegal characters found in parameter 'startTime'.");
    }
    if (end === null) {
      return error(-1100, "Illegal characters found in parameter 'endTime'.");
    }
    if (start !== undefined && end !== undefined && start > end) {
      return error(-1023, "Start time is greater than end time.");
    }
    if (month) return json(200, []);
    const tf = timeframeMs(q.interval);
    const now = this.data.now;
    const rows = this.data.candlesOf(m, q.interval).filter((c) =>
      c.ts <= now && (start === undefined || c.ts >= start) && (end === undefined || c.ts <= end)
    );
    const page = start !== undefined
      ? rows.slice(0, limit)
      : rows.slice(Math.max(0, rows.length - limit));
    return json(200, page.map((c) => klineRow(m, c, tf)));
  }
}

function error(code: number, msg: string, status = 400): Reply {
  return json(status, { code, msg });
}

/** An `exchangeInfo.symbols` entry with the real filter set. */
function symbolRow(m: FakeMarket): Record<string, unknown> {
  const tick = Number(m.tickSize);
  return {
    symbol: m.id,
    pair: m.id,
    contractType: "PERPETUAL",
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: m.active ? "TRADING" : "BREAK",
    maintMarginPercent: "2.5000",
    requiredMarginPercent: "5.0000",
    baseAsset: m.base,
    quoteAsset: m.quote,
    marginAsset: m.settle,
    pricePrecision: decimals(m.tickSize),
    quantityPrecision: decimals(m.lotSize),
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: "COIN",
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: "0.0500",
    liquidationFee: "0.012500",
    marketTakeBound: "0.05",
    maxMoveOrderLimit: 10000,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: fixed(tick * 10, decimals(m.tickSize)),
        maxPrice: "4529764",
        tickSize: m.tickSize,
      },
      { filterType: "LOT_SIZE", stepSize: m.lotSize, maxQty: "1000", minQty: m.minSize },
      { filterType: "MARKET_LOT_SIZE", stepSize: m.lotSize, maxQty: "120", minQty: m.minSize },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", limit: 10 },
      { filterType: "MIN_NOTIONAL", notional: m.minNotional },
      {
        filterType: "PERCENT_PRICE",
        multiplierUp: "1.0500",
        multiplierDown: "0.9500",
        multiplierDecimal: "4",
      },
    ],
    orderTypes: [
      "LIMIT",
      "MARKET",
      "STOP",
      "STOP_MARKET",
      "TAKE_PROFIT",
      "TAKE_PROFIT_MARKET",
      "TRAILING_STOP_MARKET",
    ],
    timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
    permissionSets: ["GRID", "COPY"],
  };
}

/** `[openTime, o, h, l, c, v, closeTime, quoteVol, trades, takerBase, takerQuote, "0"]`. */
function klineRow(m: FakeMarket, c: Candle, tf: number): unknown[] {
  const p = decimals(m.tickSize);
  const q = decimals(m.lotSize);
  const quoteVolume = round8(c.volume * (c.high + c.low + c.close) / 3);
  return [
    c.ts,
    fixed(c.open, p),
    fixed(c.high, p),
    fixed(c.low, p),
    fixed(c.close, p),
    fixed(c.volume, q),
    c.ts + tf - 1,
    fixed(quoteVolume, 5),
    Math.max(0, Math.round(c.volume * 10)),
    fixed(round8(c.volume / 2), q),
    fixed(round8(quoteVolume / 2), 5),
    "0",
  ];
}

/** A `ticker/24hr` object. */
function tickerRow(m: FakeMarket, t: Ticker24h, now: number): Record<string, unknown> {
  const p = decimals(m.tickSize);
  const change = t.last - t.open;
  return {
    symbol: m.id,
    priceChange: fixed(round8(change), p),
    priceChangePercent: t.open > 0 ? (change / t.open * 100).toFixed(3) : "0.000",
    weightedAvgPrice: t.volume > 0 ? String(round8(t.quoteVolume / t.volume)) : "0",
    lastPrice: fixed(t.last, p),
    lastQty: "1",
    openPrice: fixed(t.open, p),
    highPrice: fixed(t.high, p),
    lowPrice: fixed(t.low, p),
    volume: fixed(t.volume, decimals(m.lotSize)),
    quoteVolume: fixed(t.quoteVolume, 5),
    openTime: t.openTime,
    closeTime: now,
    firstId: 1,
    lastId: t.count,
    count: t.count,
  };
}
