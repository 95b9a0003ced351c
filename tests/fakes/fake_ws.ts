// A loopback fake of the OKX v5 and Binance USDT-M public websockets (candles, tickers) for real ccxt pro.
//
// One `Deno.serve` server on 127.0.0.1 answers both venues (paths do not collide: `/ws/v5/...` is
// OKX, `/ws`, `/market/ws/...`, `/public/ws/...` are Binance USDT-M). It serves the markets and
// the seeded candles of a REST fake (fake_exchange.ts), so a REST back-fill and the stream
// agree; `pushCandle` adds to the REST fake's series too. Point ccxt at both with
// `createExchange(name, { pro: true, restOrigin: rest.url, wsOrigin: ws.url })`.
//
// What ccxt 4.5.84 pro sends and expects (read from js/src/pro/okx.js, binance.js and
// base/ws/*.js; checked by fake_ws_test.ts):
// - Transport: under Deno ccxt uses the global `WebSocket` (its check `isNode` is false and `self`
//   is defined), not the `ws` npm package, so no protocol-level pings are sent and none are
//   awaited; Binance's server pings are answered by the runtime.
// - OKX `urls.api.ws` is "wss://ws.okx.com:8443/ws/v5"; ccxt appends `/business` for every
//   `candle*` channel and `/public` for tickers. Frames are JSON text:
//   `{"op":"subscribe","args":[{"channel":"candle1m","instId":"BTC-USDT"}]}` (one arg per call).
//   The answer is `{"event":"subscribe","arg":{...},"connId":"..."}`, which ccxt ignores; data
//   comes as `{"arg":{...},"data":[[ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm]]}` (all strings;
//   ccxt keeps the first six, volume from index 5 for spot and 6 for swaps, and drops `confirm`).
//   ccxt's channel for 6h and longer is the Hong Kong bar (`candle6H`, `candle1D`, not
//   `candle1Dutc`); the fake acks those and pushes only candles on that grid (none for UTC data).
//   Keep-alive: every 18 s ccxt sends the text "ping" and expects the text "pong".
//   Unsubscribe: `{"op":"unsubscribe","args":[...]}` → `{"event":"unsubscribe","arg":{...}}`.
//   Errors: `{"event":"error","code":"60018","msg":"Wrong URL or channel:...","connId":...}`
//   (a candle channel on /public, tickers on /business, an unknown instId) and 60012 "Illegal
//   request" for frames that are not JSON or name an unknown op; ccxt rejects every pending watch
//   of that connection on any error frame.
// - Binance USDT-M `urls.api.ws.future` is "wss://fstream.binance.com/ws"; ccxt rewrites it to
//   `/market/ws` for klines and tickers (`/public/ws` for depth, bookTicker and trade) and adds a
//   stream index: `/market/ws/0`. Every kline shares one index (`multipleOHLCV`), every ticker
//   subscription gets the next one, so each opens its own connection. Frames:
//   `{"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1}` (ids count per URL from 1),
//   answered `{"result":null,"id":1}`. `watchTicker` subscribes `btcusdt@miniTicker`
//   (`24hrMiniTicker` events: it reads the `watchTickers` option, not `watchTicker`'s "ticker");
//   `btcusdt@ticker` (`24hrTicker`) is served as well. Kline events:
//   `{"e":"kline","E":..,"s":"BTCUSDT","k":{"t","T","s","i","o","c","h","l","v","n","x","q",...}}`.
//   Unknown symbols are acked and never stream, as on Binance.
//
// Simplifications: right after a subscribe ack the fake sends the newest seeded candle that has
// opened by the REST fake's `nowMs` (and the last pushed ticker), standing in for the venues'
// 250–500 ms update cadence (`snapshotOnSubscribe: false` turns it off). `dropAll` closes every
// socket with a close frame (code 1001), which ccxt reports as "connection closed by remote
// server"; a real network drop reaches the client as 1006 without a frame, with the same effect
// in ccxt. While refusing, websocket upgrades answer HTTP 503 and (unless `rest: false`) every
// REST request of the REST fake is dropped, so ccxt sees NetworkErrors on both.

import type { Candle } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";
import type { FakeExchange } from "./fake_exchange.ts";
import type { FakeVenue } from "./fake_market_data.ts";
import type { FakeTicker, FrameMarket } from "./fake_ws_frames.ts";
import { FakeWsConnection, type FakeWsSubscription } from "./fake_ws_connection.ts";

export type { FakeTicker } from "./fake_ws_frames.ts";
export type { FakeWsSubscription } from "./fake_ws_connection.ts";

/** Options for {@link startFakeWs}. */
export interface FakeWsOptions {
  /** Send the newest candle (and last pushed ticker) right after a subscribe ack (default true). */
  snapshotOnSubscribe?: boolean;
}

/** One text frame a client sent, in arrival order. */
export interface FakeWsFrame {
  venue: FakeVenue;
  path: string;
  text: string;
}

/** Which subscriptions to count; every field given must match. */
export interface FakeWsFilter {
  venue?: FakeVenue;
  kind?: "candles" | "ticker";
  symbol?: string;
  timeframe?: string;
}

/** A running websocket fake. */
export interface FakeWs {
  /** Origin to give ccxt as `wsOrigin`, e.g. "ws://127.0.0.1:43122". */
  readonly url: string;
  /** Every text frame received (pings included), in arrival order. */
  readonly frames: FakeWsFrame[];
  /** Websocket connections accepted since start. */
  readonly accepted: number;
  /** Connection attempts refused since start: websocket upgrades (503) and dropped REST requests. */
  readonly refused: number;
  /** Open connections. */
  connections(venue?: FakeVenue): number;
  /** Live subscriptions (one per connection and channel) matching `filter`. */
  subscriptions(filter?: FakeWsFilter): FakeWsSubscription[];
  /**
   * Adds `candle` to the REST fake's series and streams it to every subscriber of the series.
   * `closed` (OKX `confirm`, Binance `x`) defaults to `candle.ts + tf <= rest.nowMs`.
   * Returns the number of connections it went to.
   */
  pushCandle(
    venue: FakeVenue,
    symbol: string,
    timeframe: string,
    candle: Candle,
    options?: { closed?: boolean },
  ): number;
  /** Streams a ticker to every subscriber of the market's tickers; returns connections reached. */
  pushTicker(venue: FakeVenue, symbol: string, ticker: FakeTicker): number;
  /** Closes every open connection (close frame 1001); returns how many. */
  dropAll(): number;
  /** Refuses new websocket connections (HTTP 503) and, unless `rest: false`, drops REST too. */
  refuse(options?: { rest?: boolean }): void;
  /** Accepts connections again. */
  accept(): void;
  /**
   * Resolves once `predicate()` holds, re-checked after every connection (accepted, refused or
   * closed), frame and push;
   * rejects after `timeoutMs` (default 60000) so a broken test fails instead of hanging.
   */
  until(predicate: () => boolean, label?: string, timeoutMs?: number): Promise<void>;
  /** Closes every connection and stops the server. */
  close(): Promise<void>;
}

/** Shared state the connections read and report to. */
export interface FakeWsHub {
  rest: FakeExchange;
  snapshot: boolean;
  frames: FakeWsFrame[];
  tickers: Map<string, FakeTicker>;
  market(venue: FakeVenue, idOrLower: string): (FrameMarket & { symbol: string }) | undefined;
  changed(): void;
}

/**
 * Starts the websocket fake for `rest` on 127.0.0.1 at a free port.
 *
 * @example
 * ```ts
 * const rest = await startFakeExchange({ nowMs: T0 + 10 * MIN });
 * const ws = await startFakeWs(rest);
 * const okx = createExchange("okx", { pro: true, restOrigin: rest.url, wsOrigin: ws.url });
 * const watching = okx.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
 * await ws.until(() => ws.subscriptions({ kind: "candles" }).length === 1);
 * ws.pushCandle("okx", "BTC/USDT", "1m", candle);
 * await watching;
 * await okx.close();
 * await ws.close();
 * ```
 */
export async function startFakeWs(
  rest: FakeExchange,
  options: FakeWsOptions = {},
): Promise<FakeWs> {
  const conns = new Set<FakeWsConnection>();
  const waiters = new Set<() => void>();
  let refusing = false;
  let refusingRest = false;
  let accepted = 0;
  let refused = 0;
  const hub: FakeWsHub = {
    rest,
    snapshot: options.snapshotOnSubscribe ?? true,
    frames: [],
    tickers: new Map(),
    market(venue, idOrLower) {
      const m = rest.listedMarkets(venue).find((x) =>
        x.id === idOrLower || x.id.toLowerCase() === idOrLower
      );
      return m && { ...m, swap: m.symbol.includes(":") };
    },
    changed() {
      for (const w of [...waiters]) w();
    },
  };
  rest.addHook({
    claims: () => refusingRest,
    handle: () => {
      refused++;
      queueMicrotask(() => hub.changed());
      return "drop";
    },
  });

  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => listening() },
    (req) => {
      const path = new URL(req.url).pathname;
      const venue = venueOf(path);
      if (!venue || req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("Not Found", { status: 404 });
      }
      if (refusing) {
        refused++;
        queueMicrotask(() => hub.changed());
        return new Response("Service Unavailable", { status: 503 });
      }
      const { socket, response } = Deno.upgradeWebSocket(req);
      accepted++;
      const conn = new FakeWsConnection(hub, venue, path, socket, accepted);
      conns.add(conn);
      socket.addEventListener("open", () => hub.changed());
      socket.addEventListener("close", () => {
        conns.delete(conn);
        hub.changed();
      });
      return response;
    },
  );
  await ready;
  const url = `ws://127.0.0.1:${server.addr.port}`;

  const open = () => [...conns].filter((c) => c.isOpen());
  return {
    url,
    frames: hub.frames,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    connections: (venue) => open().filter((c) => !venue || c.venue === venue).length,
    subscriptions: (filter = {}) =>
      open().flatMap((c) => c.subscriptions()).filter((s) =>
        (!filter.venue || s.venue === filter.venue) && (!filter.kind || s.kind === filter.kind) &&
        (!filter.symbol || s.symbol === filter.symbol) &&
        (!filter.timeframe || s.timeframe === filter.timeframe)
      ),
    pushCandle(venue, symbol, timeframe, candle, opts = {}) {
      const tf = timeframeMs(timeframe);
      rest.addCandles(venue, symbol, timeframe, [candle]);
      const closed = opts.closed ?? candle.ts + tf <= rest.nowMs;
      let sent = 0;
      for (const c of open()) sent += c.sendCandle(symbol, timeframe, candle, closed) ? 1 : 0;
      hub.changed();
      return sent;
    },
    pushTicker(venue, symbol, ticker) {
      hub.tickers.set(`${venue}|${symbol}`, ticker);
      let sent = 0;
      for (const c of open()) {
        if (c.venue === venue) sent += c.sendTicker(symbol, ticker) ? 1 : 0;
      }
      hub.changed();
      return sent;
    },
    dropAll() {
      const list = open();
      for (const c of list) c.drop();
      return list.length;
    },
    refuse(opts = {}) {
      refusing = true;
      refusingRest = opts.rest ?? true;
    },
    accept() {
      refusing = false;
      refusingRest = false;
    },
    until(predicate, label = "condition", timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          let ok = false;
          try {
            ok = predicate();
          } catch (err) {
            return finish(err);
          }
          if (ok) finish();
        };
        const timer = setTimeout(
          () => finish(new Error(`fake ws: timed out after ${timeoutMs} ms waiting for ${label}`)),
          timeoutMs,
        );
        const finish = (err?: unknown) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      refusing = true;
      for (const c of conns) c.drop();
      await server.shutdown();
    },
  };
}

/** The venue a websocket path belongs to, or undefined. */
function venueOf(path: string): FakeVenue | undefined {
  if (/^\/ws\/v5\/(public|business|private)$/.test(path)) return "okx";
  if (/^\/((market|public)\/)?ws(\/[^/]*)?$/.test(path)) return "binanceusdm";
  return undefined;
}
