// A loopback fake of OKX v5 and Binance USDT-M REST (markets, candles, time, tickers) that real
// ccxt talks to: `startFakeExchange()` and the handle tests hold.
//
// One `node:http` server on 127.0.0.1 answers both venues. Point ccxt at it with
// `createExchange(name, { restOrigin: fake.url })`. The parts, one concern a file:
// - fake_market_data.ts: listed markets (precision presets), seeded candles, the clock;
// - fake_rest_server.ts: the server, request log, routing by venue, hooks and forced faults;
// - fake_okx_public.ts, fake_binance_public.ts: each venue's public endpoints and wire rows
//   (what ccxt sends and the candle semantics modelled are in their headers);
// - fake_rest_wire.ts: reply shape, query parsing and number formats both venues share.
// The private REST (orders, balances) plugs in as hooks: fake_okx_trading.ts and
// fake_binance_trading.ts; the websockets are fake_ws.ts.

import type { Candle } from "../../src/core/candles.ts";
import { BinancePublicRest } from "./fake_binance_public.ts";
import {
  type FakeInstrument,
  FakeMarketData,
  type FakeMarketDataOptions,
  type FakeVenue,
} from "./fake_market_data.ts";
import { OkxPublicRest } from "./fake_okx_public.ts";
import {
  type FakeFailure,
  type FakeRequest,
  type FakeRequestHook,
  FakeRestServer,
} from "./fake_rest_server.ts";

export type { FakeInstrument, FakeMarketSpec, FakeVenue } from "./fake_market_data.ts";
export type {
  FakeFailure,
  FakeHookReply,
  FakeHookRequest,
  FakeRequest,
  FakeRequestHook,
} from "./fake_rest_server.ts";

/** Options for {@link startFakeExchange}. */
export interface FakeExchangeOptions extends FakeMarketDataOptions {
  /**
   * Keep connections open between requests (default false: every answer says
   * `Connection: close`). With keep-alive, Deno's fetch silently retries a GET whose reused
   * connection is dropped before any answer, so one `drop` is invisible to ccxt.
   */
  keepAlive?: boolean;
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
  const data = new FakeMarketData(options);
  const venues = [new OkxPublicRest(data), new BinancePublicRest(data)];
  const server = await FakeRestServer.start(venues, { keepAlive: options.keepAlive });
  return new LoopbackExchange(data, server);
}

/** The fake's market data and its server behind one handle. */
class LoopbackExchange implements FakeExchange {
  constructor(
    private readonly data: FakeMarketData,
    private readonly server: FakeRestServer,
  ) {}

  get url(): string {
    return this.server.url;
  }

  get requests(): FakeRequest[] {
    return this.server.requests;
  }

  get nowMs(): number {
    return this.data.now;
  }

  set nowMs(value: number | undefined) {
    this.data.setNow(value);
  }

  setCandles(venue: FakeVenue, symbol: string, timeframe: string, candles: readonly Candle[]) {
    this.data.setCandles(venue, symbol, timeframe, candles);
  }

  addCandles(venue: FakeVenue, symbol: string, timeframe: string, candles: readonly Candle[]) {
    this.data.addCandles(venue, symbol, timeframe, candles);
  }

  failNext(failure: FakeFailure): void {
    this.server.failNext(failure);
  }

  delist(venue: FakeVenue, symbol: string): void {
    this.data.delist(venue, symbol);
  }

  seeded(venue: FakeVenue, symbol: string, timeframe: string): Candle[] {
    return this.data.seeded(venue, symbol, timeframe);
  }

  listedMarkets(venue: FakeVenue): { symbol: string; id: string; contractSize: number }[] {
    return this.data.listed(venue)
      .map((m) => ({ symbol: m.symbol, id: m.id, contractSize: Number(m.contractSize) }));
  }

  addHook(hook: FakeRequestHook): void {
    this.server.addHook(hook);
  }

  lastPrice(venue: FakeVenue, symbol: string): number | undefined {
    return this.data.lastPrice(venue, symbol);
  }

  instrument(venue: FakeVenue, id: string): FakeInstrument | undefined {
    return this.data.instrument(venue, id);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
