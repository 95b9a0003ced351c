// A loopback fake of OKX v5 and Binance USDT-M REST (markets, candles, time) that real ccxt talks to.
//
// One `node:http` server on 127.0.0.1 answers both venues; their paths do not collide
// (`/api/v5/...` is OKX, `/fapi/v1/...` is Binance USDT-M). Point ccxt at it with
// `createExchange(name, { restOrigin: fake.url })`.
//
// What ccxt 4.5.84 sends (read from its source, checked by fake_exchange_test.ts):
// - okx `loadMarkets()`: no currencies call without keys (fetchCurrencies returns {}), then in
//   parallel `GET /api/v5/public/instruments?instType=SPOT|FUTURES|SWAP` and, for options,
//   `instType=OPTION&uly=BTC-USD` and `...&uly=ETH-USD`. No time call.
// - okx `fetchOHLCV(symbol, tf, since, limit)`: `bar` is 1m/3m/5m/15m/30m/1H/2H/4H and, from 6h up,
//   6Hutc/12Hutc/1Dutc/1Wutc; `limit` is min(limit, 300) (100 when not given). With `since` it
//   sends `before = since - 1` and `after = since + limit * tf`. It uses `/market/history-candles`
//   when `since < (wall clock) - 1439 * tf`, else `/market/candles` (ccxt's own clock, not `nowMs`).
// - binanceusdm `loadMarkets()`: `GET /fapi/v1/exchangeInfo` only (fetchMarkets types ["linear"]).
// - binanceusdm `fetchOHLCV`: `GET /fapi/v1/klines?interval&limit&symbol[&startTime]` with
//   `limit = min(limit, 1000)` (500 when not given): ccxt never asks for more than 1000.
// - `fetchTickers(undefined, { type })`: okx `GET /api/v5/market/tickers?instType=SPOT|SWAP`,
//   binanceusdm `GET /fapi/v1/ticker/24hr`. The figures are the rolling 24 h (`now - 24h`, `now`]
//   of the market's finest seeded series; quote volume at the typical price, as in candle rows.
//
// Candle semantics modelled on the real APIs:
// - A candle exists once it has opened (`ts <= nowMs`); later seeded candles are not served.
// - The still-open candle (`ts <= nowMs < ts + tf`) IS served, as the real APIs do: OKX marks it
//   `confirm: "0"` (closed ones `"1"`), Binance serves it with a `closeTime` in the future.
// - OKX: `after` = strictly older, `before` = strictly newer, the newest `limit` matches, newest
//   first; `limit` above 300 answers 300 (measured on the real API; the docs now say max 300 for
//   both endpoints). `/market/candles` only reaches back 1440 bars from now; `history-candles`
//   reaches everything. Bars 6H/12H/1D/2D/3D/1W (no `utc`) open on Hong Kong time, so they serve
//   only seeded candles lying on the UTC+8 grid (none, for ordinary UTC data). Month bars are
//   not modelled and answer an empty list.
// - Binance: `startTime`/`endTime` inclusive on open time; with `startTime` the oldest `limit`
//   matches, without it the newest `limit`; oldest first; `limit` default 500, above 1500 answers
//   1500 (clamped; the real API's answer to more is not verified).
// - Volumes: OKX spot `vol` = base volume (ccxt reads index 5), OKX swap `volCcy` = base volume
//   (ccxt reads index 6) and `vol` = contracts; Binance index 5 = base volume. Quote volumes,
//   trade counts and taker volumes are synthetic but consistent.
//
// Hooks (`addHook`) serve paths the fake itself does not know, with the request body read: the
// OKX private REST of fake_okx_trading.ts plugs in this way. A hook's request is logged in
// `requests` like any other; `failNext` does not apply to it (hooks bring their own faults).
//
// Faults (`failNext`) hit candle requests only (OKX candles/history-candles, Binance klines):
// 429 answers the venue's rate-limit body (ccxt: okx RateLimitExceeded, binance DDoSProtection),
// 5xx an HTML gateway page (ccxt: ExchangeNotAvailable or RequestTimeout for 504), `drop` destroys
// the socket (ccxt: NetworkError), `stall` never answers (ccxt: RequestTimeout). Answers carry
// `Connection: close` unless `keepAlive` is set, because Deno's fetch transparently retries a GET
// whose reused keep-alive connection drops, which would swallow a single `drop`.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Buffer } from "node:buffer";
import type { Candle } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";

/** Venues the fake speaks. */
export type FakeVenue = "okx" | "binanceusdm";

/** A market to list, with optional precision and limit overrides (strings, as the venues send). */
export interface FakeMarketSpec {
  /** Unified ccxt symbol: "BTC/USDT" (OKX spot), "BTC/USDT:USDT" (linear perpetual). */
  symbol: string;
  /** Price step: OKX `tickSz`, Binance `PRICE_FILTER.tickSize`. */
  tickSize?: string;
  /** Amount step: OKX `lotSz` (contracts for swaps), Binance `LOT_SIZE.stepSize`. */
  lotSize?: string;
  /** Smallest amount: OKX `minSz`, Binance `LOT_SIZE.minQty`. */
  minSize?: string;
  /** Smallest order value in quote: Binance `MIN_NOTIONAL.notional` (OKX lists none). */
  minNotional?: string;
  /** Base currency per contract for OKX swaps (`ctVal`). */
  contractSize?: string;
  /** Open for trading (default true); false lists it as OKX `state: "suspend"`, Binance `BREAK`. */
  active?: boolean;
}

/** Options for {@link startFakeExchange}. */
export interface FakeExchangeOptions {
  /** Markets per venue (default: okx BTC/USDT, binanceusdm BTC/USDT:USDT). */
  markets?: Partial<Record<FakeVenue, readonly (string | FakeMarketSpec)[]>>;
  /** Fixed "now" in epoch ms (default: follow the wall clock). */
  nowMs?: number;
  /**
   * Keep connections open between requests (default false: every answer says
   * `Connection: close`). With keep-alive, Deno's fetch silently retries a GET whose reused
   * connection is dropped before any answer, so one `drop` is invisible to ccxt.
   */
  keepAlive?: boolean;
}

/** One request the fake received. `status` 0 means it was dropped or stalled, never answered. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** Which venue the path belongs to, or null for an unknown path. */
  venue: FakeVenue | null;
}

/** How the next candle requests fail; see {@link FakeExchange.failNext}. */
export interface FakeFailure {
  /** Answer with this HTTP status and the venue's body for it (429: its rate-limit body). */
  status?: number;
  /** Destroy the TCP socket without answering. */
  drop?: boolean;
  /** Never answer (until `close()`), so the client times out. */
  stall?: boolean;
  /** How many candle requests fail this way (default 1). */
  count?: number;
  /** Only candle requests to this venue count (default: either). */
  venue?: FakeVenue;
}

/** A running fake exchange. */
export interface FakeExchange {
  /** Origin to give ccxt, e.g. "http://127.0.0.1:43121". */
  readonly url: string;
  /** Every request received, in arrival order (clear with `requests.length = 0`). */
  readonly requests: FakeRequest[];
  /** The fake's "now" in epoch ms; reads the wall clock until set, `undefined` goes back to it. */
  get nowMs(): number;
  set nowMs(value: number | undefined);
  /** Replaces the candles of one series; `timeframe` is ccxt's spelling ("1m", "4h", "1d"). */
  setCandles(venue: FakeVenue, symbol: string, timeframe: string, candles: readonly Candle[]): void;
  /** Adds candles to one series, replacing any with the same `ts`. */
  addCandles(venue: FakeVenue, symbol: string, timeframe: string, candles: readonly Candle[]): void;
  /** Makes the next candle requests fail (rules queue up in call order). */
  failNext(failure: FakeFailure): void;
  /** Removes a market: it leaves the market list and its candle requests answer "unknown symbol". */
  delist(venue: FakeVenue, symbol: string): void;
  /** A copy of one seeded series, `[]` when none (the websocket fake, fake_ws.ts, streams it). */
  seeded(venue: FakeVenue, symbol: string, timeframe: string): Candle[];
  /** Listed markets of a venue with their venue ids and contract sizes (for fake_ws.ts). */
  listedMarkets(venue: FakeVenue): { symbol: string; id: string; contractSize: number }[];
  /** Hands the requests `hook` claims to it (first claiming hook wins). */
  addHook(hook: FakeRequestHook): void;
  /** Close of the latest candle opened by now in the finest seeded series of a market. */
  lastPrice(venue: FakeVenue, symbol: string): number | undefined;
  /** A listed market by exchange id ("BTC-USDT"), with its rules as the venue lists them. */
  instrument(venue: FakeVenue, id: string): FakeInstrument | undefined;
  /** Stops the server and cuts every open connection. */
  close(): Promise<void>;
}

/** A listed market as hooks see it (strings, as the venue sends them). */
export interface FakeInstrument {
  symbol: string;
  id: string;
  base: string;
  quote: string;
  settle: string | null;
  tickSize: string;
  lotSize: string;
  minSize: string;
  /** Smallest order value in quote (Binance `MIN_NOTIONAL.notional`; "" when none is listed). */
  minNotional: string;
  active: boolean;
}

/** A request handed to a {@link FakeRequestHook}, with its body read. */
export interface FakeHookRequest {
  method: string;
  /** Path and query exactly as received ("/api/v5/trade/order?instId=BTC-USDT"). */
  url: string;
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** A hook's answer: a reply, or "drop" (destroy the socket) or "stall" (never answer). */
export type FakeHookReply =
  | { status: number; body: string; headers?: Record<string, string> }
  | "drop"
  | "stall";

/** Serves requests the fake's own routes do not know (e.g. OKX private REST). */
export interface FakeRequestHook {
  /** Whether this hook serves `method path`. */
  claims(method: string, path: string): boolean;
  /** The answer to a claimed request. */
  handle(req: FakeHookRequest): FakeHookReply | Promise<FakeHookReply>;
}

/** Internal description of a listed market. */
interface Market {
  venue: FakeVenue;
  symbol: string;
  id: string;
  base: string;
  quote: string;
  settle: string | null;
  tickSize: string;
  lotSize: string;
  minSize: string;
  minNotional: string;
  contractSize: string;
  listed: boolean;
  active: boolean;
}

interface Rule extends FakeFailure {
  remaining: number;
}

type Query = Record<string, string>;

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 1970-01-05 00:00 UTC, where UTC weeks start. */
const WEEK_ORIGIN = 4 * DAY;
/** OKX `/market/candles` reaches back this many bars. */
const OKX_RECENT_BARS = 1440;
const OKX_MAX_LIMIT = 300;
const OKX_DEFAULT_LIMIT = 100;
const BINANCE_MAX_LIMIT = 1500;
const BINANCE_DEFAULT_LIMIT = 500;

/** OKX `bar` → [ccxt timeframe, grid offset in ms]; HK-time bars sit 8 h before UTC ones. */
const OKX_BARS: Record<string, [string, number]> = {
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
const OKX_MONTH_BARS = new Set(["1M", "3M", "6M", "1Y", "1Mutc", "3Mutc", "6Mutc", "1Yutc"]);

/** Binance `interval` values USDT-M accepts (month bars are accepted but not modelled). */
const BINANCE_INTERVALS = new Set([
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

/** Realistic precision for common markets, [tick, lot, minSize, minNotional, contractSize]. */
const PRESETS: Record<string, [string, string, string, string, string]> = {
  "okx:BTC/USDT": ["0.1", "0.00000001", "0.00001", "", ""],
  "okx:ETH/USDT": ["0.01", "0.000001", "0.0001", "", ""],
  "okx:BTC/USDT:USDT": ["0.1", "0.01", "0.01", "", "0.01"],
  "okx:ETH/USDT:USDT": ["0.01", "0.01", "0.01", "", "0.1"],
  "binanceusdm:BTC/USDT:USDT": ["0.10", "0.001", "0.001", "100", "1"],
  "binanceusdm:ETH/USDT:USDT": ["0.01", "0.001", "0.001", "20", "1"],
};
const OKX_DEFAULTS: [string, string, string, string, string] = ["0.0001", "0.0001", "0.1", "", "1"];
const BINANCE_DEFAULTS: [string, string, string, string, string] = ["0.0001", "1", "1", "5", "1"];

/**
 * Starts the fake on 127.0.0.1 at a free port.
 *
 * @example
 * ```ts
 * const fake = await startFakeExchange({ markets: { okx: ["BTC/USDT"] } });
 * fake.setCandles("okx", "BTC/USDT", "1m", candles);
 * const okx = createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1 });
 * await fake.close();
 * ```
 */
export async function startFakeExchange(options: FakeExchangeOptions = {}): Promise<FakeExchange> {
  const state = new FakeState(options);
  const server = createServer((req, res) => state.handle(req, res));
  server.on("connection", (socket: Socket) => {
    state.sockets.add(socket);
    socket.on("close", () => state.sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return state.expose(server, `http://127.0.0.1:${port}`);
}

/** Everything the fake knows, and its request handler. */
class FakeState {
  readonly requests: FakeRequest[] = [];
  readonly sockets = new Set<Socket>();
  readonly markets = new Map<string, Market>();
  readonly series = new Map<string, Candle[]>();
  readonly rules: Rule[] = [];
  fixedNow: number | undefined;
  readonly keepAlive: boolean;
  readonly hooks: FakeRequestHook[] = [];

  constructor(options: FakeExchangeOptions) {
    this.fixedNow = options.nowMs;
    this.keepAlive = options.keepAlive ?? false;
    const lists = options.markets ?? { okx: ["BTC/USDT"], binanceusdm: ["BTC/USDT:USDT"] };
    for (const venue of ["okx", "binanceusdm"] as const) {
      for (const entry of lists[venue] ?? []) {
        const m = makeMarket(venue, typeof entry === "string" ? { symbol: entry } : entry);
        this.markets.set(`${venue}:${m.symbol}`, m);
      }
    }
  }

  get now(): number {
    return this.fixedNow ?? Date.now();
  }

  expose(server: Server, url: string): FakeExchange {
    // deno-lint-ignore no-this-alias
    const state = this;
    return {
      url,
      requests: this.requests,
      get nowMs(): number {
        return state.now;
      },
      set nowMs(value: number | undefined) {
        state.fixedNow = value;
      },
      setCandles: (venue, symbol, timeframe, candles) => {
        this.series.set(this.seriesKey(venue, symbol, timeframe), sortedUnique([], candles));
      },
      addCandles: (venue, symbol, timeframe, candles) => {
        const key = this.seriesKey(venue, symbol, timeframe);
        this.series.set(key, sortedUnique(this.series.get(key) ?? [], candles));
      },
      failNext: (failure) => {
        const modes = [failure.status !== undefined, !!failure.drop, !!failure.stall];
        if (modes.filter(Boolean).length !== 1) {
          throw new Error("failNext: give exactly one of status, drop or stall");
        }
        this.rules.push({ ...failure, remaining: failure.count ?? 1 });
      },
      delist: (venue, symbol) => {
        this.market(venue, symbol).listed = false;
      },
      seeded: (venue, symbol, timeframe) =>
        (this.series.get(this.seriesKey(venue, symbol, timeframe)) ?? []).map((c) => ({ ...c })),
      listedMarkets: (venue) =>
        [...this.markets.values()].filter((m) => m.venue === venue && m.listed)
          .map((m) => ({ symbol: m.symbol, id: m.id, contractSize: Number(m.contractSize) })),
      addHook: (hook) => void this.hooks.push(hook),
      lastPrice: (venue, symbol) => this.lastPrice(venue, symbol),
      instrument: (venue, id) => {
        const m = this.byId(venue, id);
        if (!m) return undefined;
        const { venue: _venue, contractSize: _contractSize, listed: _listed, ...rules } = m;
        return rules;
      },
      close: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of this.sockets) socket.destroy();
          server.closeAllConnections();
        });
      },
    };
  }

  market(venue: FakeVenue, symbol: string): Market {
    const m = this.markets.get(`${venue}:${symbol}`);
    if (!m) {
      throw new Error(`fake exchange: ${venue} does not list ${symbol}; add it to options.markets`);
    }
    return m;
  }

  seriesKey(venue: FakeVenue, symbol: string, timeframe: string): string {
    this.market(venue, symbol);
    timeframeMs(timeframe);
    return `${venue}|${symbol}|${timeframe}`;
  }

  candlesOf(m: Market, timeframe: string): Candle[] {
    return this.series.get(`${m.venue}|${m.symbol}|${timeframe}`) ?? [];
  }

  byId(venue: FakeVenue, id: string): Market | undefined {
    for (const m of this.markets.values()) {
      if (m.venue === venue && m.id === id && m.listed) return m;
    }
    return undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const parsed = new URL(req.url ?? "/", "http://fake");
    const query: Query = {};
    for (const [k, v] of parsed.searchParams) query[k] = v;
    const path = parsed.pathname;
    const venue: FakeVenue | null = path.startsWith("/api/v5/")
      ? "okx"
      : path.startsWith("/fapi/")
      ? "binanceusdm"
      : null;
    const entry: FakeRequest = { method: req.method ?? "GET", path, query, status: 0, venue };
    this.requests.push(entry);
    const hook = this.hooks.find((h) => h.claims(entry.method, path));
    if (hook) return void this.runHook(hook, req, res, entry, query);

    const isCandles = path === "/api/v5/market/candles" ||
      path === "/api/v5/market/history-candles" || path === "/fapi/v1/klines";
    if (isCandles && venue) {
      const rule = this.takeRule(venue);
      if (rule?.drop) {
        req.socket.destroy();
        return;
      }
      if (rule?.stall) return; // answered never; close() destroys the socket
      if (rule?.status !== undefined) {
        return this.send(res, entry, failureReply(venue, rule.status, this.now));
      }
    }
    let reply: Reply;
    try {
      reply = entry.method !== "GET"
        ? notFound(venue, entry.method, path)
        : venue === "okx"
        ? this.okx(path, query)
        : venue === "binanceusdm"
        ? this.binance(path, query)
        : notFound(venue, entry.method, path);
    } catch (err) {
      reply = { status: 500, body: JSON.stringify({ error: String(err) }) };
    }
    this.send(res, entry, reply);
  }

  /** Reads the body, asks `hook`, then answers, drops or stalls as it says. */
  async runHook(
    hook: FakeRequestHook,
    req: IncomingMessage,
    res: ServerResponse,
    entry: FakeRequest,
    query: Query,
  ): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const body = new TextDecoder().decode(Buffer.concat(chunks));
    let reply: FakeHookReply;
    try {
      const url = req.url ?? entry.path;
      reply = await hook.handle({
        method: entry.method,
        url,
        path: entry.path,
        query,
        headers,
        body,
      });
    } catch (err) {
      reply = { status: 500, body: JSON.stringify({ error: String(err) }) };
    }
    if (reply === "drop") req.socket.destroy();
    else if (reply !== "stall") this.send(res, entry, reply);
  }

  /** Close of the latest candle with `ts <= now` in the finest seeded series of a market. */
  lastPrice(venue: FakeVenue, symbol: string): number | undefined {
    const now = this.now;
    let best: Candle | undefined;
    let bestTf = Infinity;
    for (const [key, rows] of this.series) {
      const [v, s, timeframe] = key.split("|");
      if (v !== venue || s !== symbol) continue;
      let i = rows.length - 1;
      while (i >= 0 && rows[i].ts > now) i--;
      const tf = timeframeMs(timeframe);
      if (i >= 0 && (tf < bestTf || (tf === bestTf && rows[i].ts > best!.ts))) {
        (best = rows[i], bestTf = tf);
      }
    }
    return best?.close;
  }

  send(res: ServerResponse, entry: FakeRequest, reply: Reply): void {
    entry.status = reply.status;
    res.writeHead(reply.status, {
      "content-type": "application/json",
      "content-length": String(new TextEncoder().encode(reply.body).length),
      ...(this.keepAlive ? {} : { connection: "close" }),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  takeRule(venue: FakeVenue): Rule | undefined {
    const i = this.rules.findIndex((r) => r.venue === undefined || r.venue === venue);
    if (i < 0) return undefined;
    const rule = this.rules[i];
    if (--rule.remaining <= 0) this.rules.splice(i, 1);
    return rule;
  }

  // ---------------------------------------------------------------- OKX

  okx(path: string, q: Query): Reply {
    switch (path) {
      case "/api/v5/public/time":
        return okxOk([{ ts: String(this.now) }]);
      case "/api/v5/public/instruments":
        return this.okxInstruments(q);
      case "/api/v5/market/candles":
        return this.okxCandles(q, false);
      case "/api/v5/market/history-candles":
        return this.okxCandles(q, true);
      case "/api/v5/market/tickers":
        return this.okxTickers(q);
      default:
        return notFound("okx", "GET", path);
    }
  }

  okxInstruments(q: Query): Reply {
    const type = q.instType;
    if (!type) return okxError(400, "50014", "instType cannot be empty");
    if (!["SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"].includes(type)) {
      return okxError(200, "51000", "Parameter instType error");
    }
    if (type === "OPTION") {
      if (!q.uly && !q.instFamily) {
        return okxError(400, "50015", "Either uly or instFamily is required");
      }
      return okxOk([]);
    }
    const want = type === "SWAP" ? "swap" : type === "SPOT" ? "spot" : "";
    const rows = [...this.markets.values()]
      .filter((m) => m.venue === "okx" && m.listed && kind(m) === want)
      .filter((m) => !q.instId || q.instId === m.id)
      .map(okxInstrument);
    return okxOk(rows);
  }

  okxCandles(q: Query, history: boolean): Reply {
    if (!q.instId) return okxError(400, "50014", "Parameter instId can not be empty");
    const bar = q.bar ?? "1m";
    const known = OKX_BARS[bar];
    if (!known && !OKX_MONTH_BARS.has(bar)) return okxError(200, "51000", "Parameter bar error");
    const limit = parseLimit(q.limit, OKX_DEFAULT_LIMIT, OKX_MAX_LIMIT);
    if (limit === undefined) return okxError(200, "51000", "Parameter limit error");
    const after = parseTime(q.after);
    const before = parseTime(q.before);
    if (after === null) return okxError(200, "51000", "Parameter after error");
    if (before === null) return okxError(200, "51000", "Parameter before error");
    const m = this.byId("okx", q.instId);
    if (!m) {
      return okxError(
        200,
        "51001",
        "Instrument ID, Instrument ID code, or Spread ID doesn't exist.",
      );
    }
    if (!known) return okxOk([]);
    const [timeframe, offset] = known;
    const tf = timeframeMs(timeframe);
    const now = this.now;
    const oldest = history ? -Infinity : now - OKX_RECENT_BARS * tf;
    const rows = this.candlesOf(m, timeframe).filter((c) =>
      c.ts <= now && c.ts > oldest &&
      (offset === 0 || onGrid(c.ts, timeframe, tf, offset)) &&
      (after === undefined || c.ts < after) && (before === undefined || c.ts > before)
    );
    const page = rows.slice(Math.max(0, rows.length - limit)).reverse();
    return okxOk(page.map((c) => okxRow(m, c, c.ts + tf <= now)));
  }

  /** Rolling 24 h statistics of a market from its finest seeded series (zeros without candles). */
  ticker24h(m: Market): Ticker24h {
    const now = this.now;
    let best: Candle[] = [];
    let bestTf = Infinity;
    for (const [key, rows] of this.series) {
      const [venue, symbol, timeframe] = key.split("|");
      if (venue !== m.venue || symbol !== m.symbol) continue;
      const tf = timeframeMs(timeframe);
      const recent = rows.filter((c) => c.ts <= now && c.ts > now - DAY);
      if (recent.length > 0 && tf < bestTf) (best = recent, bestTf = tf);
    }
    const t: Ticker24h = {
      open: 0,
      high: 0,
      low: 0,
      last: 0,
      volume: 0,
      quoteVolume: 0,
      openTime: now - DAY,
      count: 0,
    };
    if (best.length === 0) return t;
    t.open = best[0].open;
    t.last = best[best.length - 1].close;
    t.high = Math.max(...best.map((c) => c.high));
    t.low = Math.min(...best.map((c) => c.low));
    for (const c of best) {
      t.volume += c.volume;
      t.quoteVolume += c.volume * (c.high + c.low + c.close) / 3;
    }
    t.volume = round8(t.volume);
    t.quoteVolume = round8(t.quoteVolume);
    t.count = Math.max(0, Math.round(t.volume * 10));
    return t;
  }

  /** `GET /api/v5/market/tickers?instType=SPOT|SWAP`: every listed market of that type. */
  okxTickers(q: Query): Reply {
    const type = q.instType;
    if (!type) return okxError(400, "50014", "instType cannot be empty");
    if (!["SPOT", "SWAP", "FUTURES", "OPTION"].includes(type)) {
      return okxError(200, "51000", "Parameter instType error");
    }
    const want = type === "SWAP" ? "swap" : type === "SPOT" ? "spot" : "";
    const rows = [...this.markets.values()]
      .filter((m) => m.venue === "okx" && m.listed && kind(m) === want)
      .map((m) => okxTicker(m, this.ticker24h(m), this.now));
    return okxOk(rows);
  }

  // ---------------------------------------------------------------- Binance USDT-M

  binance(path: string, q: Query): Reply {
    switch (path) {
      case "/fapi/v1/ping":
        return json(200, {});
      case "/fapi/v1/time":
        return json(200, { serverTime: this.now });
      case "/fapi/v1/exchangeInfo":
        return json(200, this.binanceExchangeInfo());
      case "/fapi/v1/klines":
        return this.binanceKlines(q);
      case "/fapi/v1/ticker/24hr":
        return this.binanceTickers(q);
      default:
        return notFound("binanceusdm", "GET", path);
    }
  }

  binanceExchangeInfo(): unknown {
    const markets = [...this.markets.values()].filter((m) => m.venue === "binanceusdm" && m.listed);
    const assets = [...new Set(markets.flatMap((m) => [m.quote]))].sort();
    return {
      timezone: "UTC",
      serverTime: this.now,
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
      symbols: markets.map(binanceSymbol),
    };
  }

  /** `GET /fapi/v1/ticker/24hr[?symbol]`: an array of every listed market, or one object. */
  binanceTickers(q: Query): Reply {
    if (q.symbol) {
      const m = this.byId("binanceusdm", q.symbol);
      if (!m) return binanceError(-1121, "Invalid symbol.");
      return json(200, binanceTicker(m, this.ticker24h(m), this.now));
    }
    const markets = [...this.markets.values()].filter((m) => m.venue === "binanceusdm" && m.listed);
    return json(200, markets.map((m) => binanceTicker(m, this.ticker24h(m), this.now)));
  }

  binanceKlines(q: Query): Reply {
    if (!q.symbol) {
      return binanceError(
        -1102,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      );
    }
    if (!q.interval) {
      return binanceError(
        -1102,
        "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
      );
    }
    const m = this.byId("binanceusdm", q.symbol);
    if (!m) return binanceError(-1121, "Invalid symbol.");
    const month = q.interval === "1M";
    if (!BINANCE_INTERVALS.has(q.interval) && !month) {
      return binanceError(-1120, "Invalid interval.");
    }
    const limit = parseLimit(q.limit, BINANCE_DEFAULT_LIMIT, BINANCE_MAX_LIMIT);
    if (limit === undefined) {
      return binanceError(-1130, "Data sent for parameter 'limit' is not valid.");
    }
    const start = parseTime(q.startTime);
    const end = parseTime(q.endTime);
    if (start === null) {
      return binanceError(-1100, "Illegal characters found in parameter 'startTime'.");
    }
    if (end === null) {
      return binanceError(-1100, "Illegal characters found in parameter 'endTime'.");
    }
    if (start !== undefined && end !== undefined && start > end) {
      return binanceError(-1023, "Start time is greater than end time.");
    }
    if (month) return json(200, []);
    const tf = timeframeMs(q.interval);
    const now = this.now;
    const rows = this.candlesOf(m, q.interval).filter((c) =>
      c.ts <= now && (start === undefined || c.ts >= start) && (end === undefined || c.ts <= end)
    );
    const page = start !== undefined
      ? rows.slice(0, limit)
      : rows.slice(Math.max(0, rows.length - limit));
    return json(200, page.map((c) => binanceRow(m, c, tf)));
  }
}

// ---------------------------------------------------------------- markets

function makeMarket(venue: FakeVenue, spec: FakeMarketSpec): Market {
  const match = /^([A-Z0-9]+)\/([A-Z0-9]+)(?::([A-Z0-9]+))?$/.exec(spec.symbol);
  if (!match) throw new Error(`fake exchange: bad symbol "${spec.symbol}"`);
  const [, base, quote, settle] = match;
  if (venue === "binanceusdm" && settle !== quote) {
    throw new Error(
      `fake exchange: binanceusdm lists only linear perpetuals like "BTC/USDT:USDT", not "${spec.symbol}"`,
    );
  }
  if (venue === "okx" && settle !== undefined && settle !== quote) {
    throw new Error(
      `fake exchange: okx fake lists spot and linear swaps only, not "${spec.symbol}"`,
    );
  }
  const preset = PRESETS[`${venue}:${spec.symbol}`] ??
    (venue === "okx" ? OKX_DEFAULTS : BINANCE_DEFAULTS);
  const id = venue === "binanceusdm"
    ? `${base}${quote}`
    : settle
    ? `${base}-${quote}-SWAP`
    : `${base}-${quote}`;
  return {
    venue,
    symbol: spec.symbol,
    id,
    base,
    quote,
    settle: settle ?? null,
    tickSize: spec.tickSize ?? preset[0],
    lotSize: spec.lotSize ?? preset[1],
    minSize: spec.minSize ?? preset[2],
    minNotional: spec.minNotional ?? preset[3],
    contractSize: spec.contractSize ?? (preset[4] || "1"),
    listed: true,
    active: spec.active ?? true,
  };
}

function kind(m: Market): "spot" | "swap" {
  return m.settle ? "swap" : "spot";
}

/** An OKX `public/instruments` row with the fields the real API sends (2025 shape). */
function okxInstrument(m: Market): Record<string, unknown> {
  const swap = kind(m) === "swap";
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

/** A Binance USDT-M `exchangeInfo.symbols` entry with the real filter set. */
function binanceSymbol(m: Market): Record<string, unknown> {
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

// ---------------------------------------------------------------- candle rows

/** `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`, all strings. */
function okxRow(m: Market, c: Candle, closed: boolean): string[] {
  const quoteVolume = round8(c.volume * (c.high + c.low + c.close) / 3);
  const swap = kind(m) === "swap";
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

/** `[openTime, o, h, l, c, v, closeTime, quoteVol, trades, takerBase, takerQuote, "0"]`. */
function binanceRow(m: Market, c: Candle, tf: number): unknown[] {
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

// ---------------------------------------------------------------- tickers

/** Rolling 24 h figures behind a ticker (base volume, quote volume at the typical price). */
interface Ticker24h {
  open: number;
  high: number;
  low: number;
  last: number;
  volume: number;
  quoteVolume: number;
  openTime: number;
  count: number;
}

/** An OKX `market/tickers` row: spot `vol24h` base, `volCcy24h` quote; swap `vol24h` contracts. */
function okxTicker(m: Market, t: Ticker24h, now: number): Record<string, string> {
  const swap = kind(m) === "swap";
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

/** A Binance USDT-M `ticker/24hr` object. */
function binanceTicker(m: Market, t: Ticker24h, now: number): Record<string, unknown> {
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

// ---------------------------------------------------------------- replies

function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), headers };
}

function okxOk(data: unknown[]): Reply {
  return json(200, { code: "0", msg: "", data });
}

function okxError(status: number, code: string, msg: string): Reply {
  return json(status, { code, msg, data: [] });
}

function binanceError(code: number, msg: string, status = 400): Reply {
  return json(status, { code, msg });
}

function notFound(venue: FakeVenue | null, method: string, path: string): Reply {
  if (venue === "okx") {
    return json(404, {
      code: 404,
      data: {},
      detailMsg: "",
      error_code: "404",
      error_message: "Not Found",
      msg: "Not Found",
    });
  }
  if (venue === "binanceusdm") {
    return binanceError(-5000, `Path ${path}, Method ${method} is invalid`, 404);
  }
  return { status: 404, body: "Not Found", headers: { "content-type": "text/plain" } };
}

/** The venue's own body for a forced failure status. */
function failureReply(venue: FakeVenue, status: number, now: number): Reply {
  if (status >= 500) {
    const body = `<html><head><title>${status}</title></head><body><center><h1>${status}</h1>` +
      `</center></body></html>`;
    return { status, body, headers: { "content-type": "text/html" } };
  }
  if (venue === "okx") {
    if (status === 429) return json(429, { msg: "Too Many Requests", code: "50011" });
    return okxError(status, "50000", "Request failed");
  }
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
      msg: `Way too many requests; IP(127.0.0.1) banned until ${now + 120_000}. ` +
        "Please use the websocket for live updates to avoid bans.",
    }, { "retry-after": "120" });
  }
  return binanceError(-1000, "An unknown error occurred while processing the request.", status);
}

// ---------------------------------------------------------------- helpers

/** `undefined` when absent, `null` when not an integer, else the number. */
function parseTime(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === "") return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : null;
}

/** Default when absent, clamped to `max`, `undefined` when invalid. */
function parseLimit(raw: string | undefined, dflt: number, max: number): number | undefined {
  if (raw === undefined || raw === "") return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return undefined;
  return Math.min(Number(raw), max);
}

/** True when `ts` opens a bar on the grid shifted by `offset` (weeks start Monday). */
function onGrid(ts: number, timeframe: string, tf: number, offset: number): boolean {
  const origin = (timeframe.endsWith("w") ? WEEK_ORIGIN : 0) + offset;
  return ((ts - origin) % tf + tf) % tf === 0;
}

function sortedUnique(old: readonly Candle[], add: readonly Candle[]): Candle[] {
  const byTs = new Map<number, Candle>();
  for (const c of old) byTs.set(c.ts, c);
  for (const c of add) byTs.set(c.ts, { ...c });
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

function round8(n: number): number {
  return Number(n.toFixed(8));
}

/** Shortest exact decimal text of `n`, never in exponent form. */
function num(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, "");
}

/** `n` with at least `places` decimals (padded, never rounded). */
function fixed(n: number, places: number): string {
  const s = num(n);
  const dot = s.indexOf(".");
  const have = dot < 0 ? 0 : s.length - dot - 1;
  if (have >= places) return s;
  return (dot < 0 ? `${s}.` : s) + "0".repeat(places - have);
}

/** Number of decimals a step is written with: "0.10" → 2, "0.001" → 3, "1" → 0. */
function decimals(step: string): number {
  const dot = step.indexOf(".");
  if (dot < 0) return 0;
  const frac = step.slice(dot + 1).replace(/0+$/, "");
  return frac.length === 0 ? 0 : step.slice(dot + 1).length;
}
