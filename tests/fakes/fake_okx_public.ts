// The fake OKX v5 public REST: time, instruments, candles, tickers and OKX's error bodies, served
// from fake_market_data.ts by the server in fake_rest_server.ts.
//
// What ccxt 4.5.84 sends (read from its source, checked by fake_exchange_test.ts):
// - `loadMarkets()`: no currencies call without keys (fetchCurrencies returns {}), then in
//   parallel `GET /api/v5/public/instruments?instType=SPOT|FUTURES|SWAP` and, for options,
//   `instType=OPTION&uly=BTC-USD` and `...&uly=ETH-USD`. No time call.
// - `fetchOHLCV(symbol, tf, since, limit)`: `bar` is 1m/3m/5m/15m/30m/1H/2H/4H and, from 6h up,
//   6Hutc/12Hutc/1Dutc/1Wutc; `limit` is min(limit, 300) (100 when not given). With `since` it
//   sends `before = since - 1` and `after = since + limit * tf`. It uses `/market/history-candles`
//   when `since < (wall clock) - 1439 * tf`, else `/market/candles` (ccxt's own clock, not `nowMs`).
// - `fetchTickers(undefined, { type })`: `GET /api/v5/market/tickers?instType=SPOT|SWAP`. The
//   figures are the rolling 24 h (`now - 24h`, `now`] of the market's finest seeded series; quote
//   volume at the typical price, as in candle rows.
//
// Candle semantics modelled on the real API:
// - A candle exists once it has opened (`ts <= nowMs`); later seeded candles are not served.
// - The still-open candle (`ts <= nowMs < ts + tf`) IS served, marked `confirm: "0"` (closed ones
//   `"1"`).
// - `after` = strictly older, `before` = strictly newer, the newest `limit` matches, newest
//   first; `limit` above 300 answers 300 (measured on the real API; the docs now say max 300 for
//   both endpoints). `/market/candles` only reaches back 1440 bars from now; `history-candles`
//   reaches everything. Bars 6H/12H/1D/2D/3D/1W (no `utc`) open on Hong Kong time, so they serve
//   only seeded candles lying on the UTC+8 grid (none, for ordinary UTC data). Month bars are
//   not modelled and answer an empty list.
// - Volumes: spot `vol` = base volume (ccxt reads index 5), swap `volCcy` = base volume (ccxt
//   reads index 6) and `vol` = contracts. Quote volumes are synthetic but consistent.

import type { Candle } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";
import {
  type FakeMarket,
  type FakeMarketData,
  marketKind,
  type Ticker24h,
} from "./fake_market_data.ts";
import type { FakeVenueRest } from "./fake_rest_server.ts";
import {
  gatewayPage,
  json,
  num,
  parseLimit,
  parseTime,
  type Query,
  type Reply,
  round8,
} from "./fake_rest_wire.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 1970-01-05 00:00 UTC, where UTC weeks start. */
const WEEK_ORIGIN = 4 * DAY;
/** `/market/candles` reaches back this many bars. */
const RECENT_BARS = 1440;
const MAX_LIMIT = 300;
const DEFAULT_LIMIT = 100;

/**
 * `bar` (REST) and `candle<bar>` channel (websocket, fake_ws.ts) → [ccxt timeframe, grid offset
 * in ms]; HK-time bars sit 8 h before UTC ones.
 */
export const OKX_BARS: Record<string, [string, number]> = {
  "1s": ["1s", 0],
  "1m": ["1m", 0],
  "3m": ["3m", 0],
  "5m": ["5m", 0],
  "15m": ["15m", 0],
  "30m": ["30m", 0],
  "1H": ["1h", 0],
  "2H": ["2h", 0],
  "4H": ["4h", 0],
  "6Hutc": ["6h", 0],
  "12Hutc": ["12h", 0],
  "1Dutc": ["1d", 0],
  "2Dutc": ["2d", 0],
  "3Dutc": ["3d", 0],
  "1Wutc": ["1w", 0],
  "6H": ["6h", -8 * HOUR],
  "12H": ["12h", -8 * HOUR],
  "1D": ["1d", -8 * HOUR],
  "2D": ["2d", -8 * HOUR],
  "3D": ["3d", -8 * HOUR],
  "1W": ["1w", -8 * HOUR],
};
const MONTH_BARS = new Set(["1M", "3M", "6M", "1Y", "1Mutc", "3Mutc", "6Mutc", "1Yutc"]);

/** OKX's public endpoints over the fake's market data. */
export class OkxPublicRest implements FakeVenueRest {
  readonly venue = "okx";
  readonly prefix = "/api/v5/";

  constructor(private readonly data: FakeMarketData) {}

  isCandles(path: string): boolean {
    return path === "/api/v5/market/candles" || path === "/api/v5/market/history-candles";
  }

  get(path: string, q: Query): Reply {
    switch (path) {
      case "/api/v5/public/time":
        return ok([{ ts: String(this.data.now) }]);
      case "/api/v5/public/instruments":
        return this.#instruments(q);
      case "/api/v5/market/candles":
        return this.#candles(q, false);
      case "/api/v5/market/history-candles":
        return this.#candles(q, true);
      case "/api/v5/market/tickers":
        return this.#tickers(q);
      default:
        return this.notFound("GET", path);
    }
  }

  notFound(_method: string, _path: string): Reply {
    return json(404, {
      code: 404,
      data: {},
      detailMsg: "",
      error_code: "404",
      error_message: "Not Found",
      msg: "Not Found",
    });
  }

  failure(status: number): Reply {
    if (status >= 500) return gatewayPage(status);
    if (status === 429) return json(429, { msg: "Too Many Requests", code: "50011" });
    return error(status, "50000", "Request failed");
  }

  #instruments(q: Query): Reply {
    const type = q.instType;
    if (!type) return error(400, "50014", "instType cannot be empty");
    if (!["SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"].includes(type)) {
      return error(200, "51000", "Parameter instType error");
    }
    if (type === "OPTION") {
      if (!q.uly && !q.instFamily) {
        return error(400, "50015", "Either uly or instFamily is required");
      }
      return ok([]);
    }
    const want = type === "SWAP" ? "swap" : type === "SPOT" ? "spot" : "";
    const rows = this.data.listed("okx")
      .filter((m) => marketKind(m) === want)
      .filter((m) => !q.instId || q.instId === m.id)
      .map(instrumentRow);
    return ok(rows);
  }

  #candles(q: Query, history: boolean): Reply {
    if (!q.instId) return error(400, "50014", "Parameter instId can not be empty");
    const bar = q.bar ?? "1m";
    const known = OKX_BARS[bar];
    if (!known && !MONTH_BARS.has(bar)) return error(200, "51000", "Parameter bar error");
    const limit = parseLimit(q.limit, DEFAULT_LIMIT, MAX_LIMIT);
    if (limit === undefined) return error(200, "51000", "Parameter limit error");
    const after = parseTime(q.after);
    const before = parseTime(q.before);
    if (after === null) return error(200, "51000", "Parameter after error");
    if (before === null) return error(200, "51000", "Parameter before error");
    const m = this.data.byId("okx", q.instId);
    if (!m) {
      return error(
        200,
        "51001",
        "Instrument ID, Instrument ID code, or Spread ID doesn't exist.",
      );
    }
    if (!known) return ok([]);
    const [timeframe, offset] = known;
    const tf = timeframeMs(timeframe);
    const now = this.data.now;
    const oldest = history ? -Infinity : now - RECENT_BARS * tf;
    const rows = this.data.candlesOf(m, timeframe).filter((c) =>
      c.ts <= now && c.ts > oldest &&
      (offset === 0 || onGrid(c.ts, timeframe, tf, offset)) &&
      (after === undefined || c.ts < after) && (before === undefined || c.ts > before)
    );
    const page = rows.slice(Math.max(0, rows.length - limit)).reverse();
    return ok(page.map((c) => candleRow(m, c, c.ts + tf <= now)));
  }

  /** `GET /api/v5/market/tickers?instType=SPOT|SWAP`: every listed market of that type. */
  #tickers(q: Query): Reply {
    const type = q.instType;
    if (!type) return error(400, "50014", "instType cannot be empty");
    if (!["SPOT", "SWAP", "FUTURES", "OPTION"].includes(type)) {
      return error(200, "51000", "Parameter instType error");
    }
    const want = type === "SWAP" ? "swap" : type === "SPOT" ? "spot" : "";
    const rows = this.data.listed("okx")
      .filter((m) => marketKind(m) === want)
      .map((m) => tickerRow(m, this.data.ticker24h(m), this.data.now));
    return ok(rows);
  }
}

/** True when `ts` opens a bar of `tf` ms on the grid shifted by `offset` (weeks start Monday). */
export function onGrid(ts: number, timeframe: string, tf: number, offset: number): boolean {
  const origin = (timeframe.endsWith("w") ? WEEK_ORIGIN : 0) + offset;
  return ((ts - origin) % tf + tf) % tf === 0;
}

function ok(data: unknown[]): Reply {
  return json(200, { code: "0", msg: "", data });
}

function error(status: number, code: string, msg: string): Reply {
  return json(status, { code, msg, data: [] });
}

/** A `public/instruments` row with the fields the real API sends (2025 shape). */
function instrumentRow(m: FakeMarket): Record<string, unknown> {
  const swap = marketKind(m) === "swap";
  return {
    alias: "",
    auctionEndTime: "",
    baseCcy: swap ? "" : m.base,
    category: "1",
    contTdSwTime: "",
    ctMult: swap ? "1" : "",
    ctType: swap ? "linear" : "",
    ctVal: swap ? m.contractSize : "",
    ctValCcy: swap ? m.base : "",
    expTime: "",
    futureSettlement: false,
    instFamily: swap ? `${m.base}-${m.quote}` : "",
    instId: m.id,
    instType: swap ? "SWAP" : "SPOT",
    lever: swap ? "100" : "10",
    listTime: "1611907686000",
    lotSz: m.lotSize,
    maxIcebergSz: "9999999999.0000000000000000",
    maxLmtAmt: "20000000",
    maxLmtSz: swap ? "100000000" : "9999999999",
    maxMktAmt: "1000000",
    maxMktSz: swap ? "12000" : "1000000",
    maxStopSz: swap ? "12000" : "1000000",
    maxTriggerSz: "9999999999.0000000000000000",
    maxTwapSz: "9999999999.0000000000000000",
    minSz: m.minSize,
    openType: "",
    optType: "",
    preMktSwTime: "",
    quoteCcy: swap ? "" : m.quote,
    ruleType: "normal",
    settleCcy: swap ? m.settle : "",
    state: m.active ? "live" : "suspend",
    stk: "",
    tickSz: m.tickSize,
    tradeQuoteCcyList: swap ? [] : [m.quote],
    uly: swap ? `${m.base}-${m.quote}` : "",
  };
}

/** `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`, all strings. */
function candleRow(m: FakeMarket, c: Candle, closed: boolean): string[] {
  const quoteVolume = round8(c.volume * (c.high + c.low + c.close) / 3);
  const swap = marketKind(m) === "swap";
  const vol = swap ? round8(c.volume / Number(m.contractSize)) : c.volume;
  const volCcy = swap ? c.volume : quoteVolume;
  return [
    String(c.ts),
    num(c.open),
    num(c.high),
    num(c.low),
    num(c.close),
    num(vol),
    num(volCcy),
    num(quoteVolume),
    closed ? "1" : "0",
  ];
}

/** A `market/tickers` row: spot `vol24h` base, `volCcy24h` quote; swap `vol24h` contracts. */
function tickerRow(m: FakeMarket, t: Ticker24h, now: number): Record<string, string> {
  const swap = marketKind(m) === "swap";
  return {
    instType: swap ? "SWAP" : "SPOT",
    instId: m.id,
    last: num(t.last),
    lastSz: "1",
    askPx: num(t.last),
    askSz: "1",
    bidPx: num(t.last),
    bidSz: "1",
    open24h: num(t.open),
    high24h: num(t.high),
    low24h: num(t.low),
    volCcy24h: num(swap ? t.volume : t.quoteVolume),
    vol24h: num(swap ? round8(t.volume / Number(m.contractSize)) : t.volume),
    ts: String(now),
    sodUtc0: num(t.open),
    sodUtc8: num(t.open),
  };
}
