// One client connection of the websocket fake: parses OKX / Binance frames, tracks subscriptions, pushes.

import type { Candle } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";
import { BINANCE_INTERVALS } from "./fake_binance_public.ts";
import type { FakeVenue } from "./fake_market_data.ts";
import { OKX_BARS, onGrid } from "./fake_okx_public.ts";
import type { FakeWsHub } from "./fake_ws.ts";
import {
  binanceError,
  binanceKline,
  binanceResult,
  binanceTicker,
  type FakeTicker,
  type FrameMarket,
  okxAck,
  okxCandlePush,
  okxError,
  okxNoChannel,
  okxTickerPush,
} from "./fake_ws_frames.ts";

/** One live subscription of one connection. */
export interface FakeWsSubscription {
  venue: FakeVenue;
  /** The connection's URL path, e.g. "/ws/v5/business" or "/market/ws/0". */
  path: string;
  /** Number of the connection (1 = the first accepted). */
  connection: number;
  kind: "candles" | "ticker";
  /** Unified symbol, or the raw id when the venue does not list it. */
  symbol: string;
  /** ccxt timeframe of a candle subscription. */
  timeframe?: string;
  /** OKX `channel:instId`, or the Binance stream name. */
  channel: string;
}

interface Sub extends FakeWsSubscription {
  market?: FrameMarket;
  /** Wire name of the bar: OKX channel, Binance interval. */
  wire: string;
  /** Grid offset of OKX Hong Kong bars (ms). */
  offset: number;
  /** Binance ticker flavour. */
  mini?: boolean;
}

/** A client connection: frames in, pushes out. */
export class FakeWsConnection {
  readonly #subs = new Map<string, Sub>();

  constructor(
    readonly hub: FakeWsHub,
    readonly venue: FakeVenue,
    readonly path: string,
    readonly socket: WebSocket,
    readonly id: number,
  ) {
    socket.addEventListener("message", (e) => {
      const text = typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data);
      hub.frames.push({ venue, path, text });
      if (venue === "okx") this.#okx(text);
      else this.#binance(text);
      hub.changed();
    });
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  subscriptions(): FakeWsSubscription[] {
    return [...this.#subs.values()].map((
      { venue, path, connection, kind, symbol, timeframe, channel },
    ) => ({
      venue,
      path,
      connection,
      kind,
      symbol,
      ...(timeframe ? { timeframe } : {}),
      channel,
    }));
  }

  /** Sends `candle` to this connection's subscriptions of the series; true when any. */
  sendCandle(symbol: string, timeframe: string, candle: Candle, closed: boolean): boolean {
    let sent = false;
    for (const s of this.#subs.values()) {
      if (s.kind !== "candles" || s.symbol !== symbol || s.timeframe !== timeframe) continue;
      if (!s.market || !onGrid(candle.ts, timeframe, timeframeMs(timeframe), s.offset)) continue;
      this.#send(this.#candleFrame(s, candle, closed));
      sent = true;
    }
    return sent;
  }

  /** Sends `ticker` to this connection's ticker subscriptions of `symbol`; true when any. */
  sendTicker(symbol: string, ticker: FakeTicker): boolean {
    let sent = false;
    for (const s of this.#subs.values()) {
      if (s.kind !== "ticker" || s.symbol !== symbol || !s.market) continue;
      this.#send(this.#tickerFrame(s, ticker));
      sent = true;
    }
    return sent;
  }

  /** Closes the socket with a close frame (1001 "going away"). */
  drop(): void {
    try {
      this.socket.close(1001, "fake ws: dropped");
    } catch {
      // Not open yet or already closing.
    }
  }

  #send(text: string): void {
    if (this.isOpen()) this.socket.send(text);
  }

  // ---------------------------------------------------------------- OKX

  #okx(text: string): void {
    const connId = this.id.toString(16).padStart(8, "0");
    if (text === "ping") return this.#send("pong");
    let msg: { op?: unknown; args?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return this.#send(okxError("60012", `Illegal request: ${text}`, connId));
    }
    const args = Array.isArray(msg.args) ? msg.args as Record<string, unknown>[] : undefined;
    if ((msg.op !== "subscribe" && msg.op !== "unsubscribe") || !args || args.length === 0) {
      return this.#send(okxError("60012", `Illegal request: ${text}`, connId));
    }
    for (const arg of args) {
      const channel = String(arg.channel ?? "");
      const instId = String(arg.instId ?? "");
      const key = `${channel}:${instId}`;
      if (msg.op === "unsubscribe") {
        this.#subs.delete(key);
        this.#send(okxAck("unsubscribe", arg, connId));
        continue;
      }
      const market = this.hub.market("okx", instId);
      const bar = channel.startsWith("candle") ? OKX_BARS[channel.slice(6)] : undefined;
      const onBusiness = this.path.endsWith("/business");
      const ok = market && (bar ? onBusiness : channel === "tickers" && !onBusiness);
      if (!ok) {
        this.#send(okxNoChannel(arg, connId));
        continue;
      }
      const sub: Sub = {
        venue: "okx",
        path: this.path,
        connection: this.id,
        kind: bar ? "candles" : "ticker",
        symbol: market.symbol,
        ...(bar ? { timeframe: bar[0] } : {}),
        channel: key,
        market,
        wire: channel,
        offset: bar ? bar[1] : 0,
      };
      this.#subs.set(key, sub);
      this.#send(okxAck("subscribe", arg, connId));
      this.#snapshot(sub);
    }
  }

  // ---------------------------------------------------------------- Binance

  #binance(text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text);
    } catch (err) {
      return this.#send(binanceError(null, 3, `Invalid JSON: ${(err as Error).message}`));
    }
    const params = Array.isArray(msg.params) ? msg.params.map(String) : [];
    switch (msg.method) {
      case "SUBSCRIBE": {
        const added = params.map((p) => this.#binanceSub(p)).filter((s) => s !== undefined);
        for (const s of added) this.#subs.set(s.channel, s);
        this.#send(binanceResult(msg.id));
        for (const s of added) this.#snapshot(s);
        return;
      }
      case "UNSUBSCRIBE":
        for (const p of params) this.#subs.delete(p);
        return this.#send(binanceResult(msg.id));
      case "LIST_SUBSCRIPTIONS":
        return this.#send(binanceResult(msg.id, [...this.#subs.keys()]));
      default:
        return this.#send(
          binanceError(
            msg.id,
            2,
            `Invalid request: unknown variant \`${msg.method}\`, expected one of \`SUBSCRIBE\`, ` +
              "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
          ),
        );
    }
  }

  /** A subscription for a stream name such as "btcusdt@kline_1m" (unknown ones never stream). */
  #binanceSub(stream: string): Sub | undefined {
    const [id, topic = ""] = stream.split("@");
    const market = this.hub.market("binanceusdm", id);
    const base = {
      venue: "binanceusdm" as const,
      path: this.path,
      connection: this.id,
      symbol: market?.symbol ?? id,
      channel: stream,
      market,
      offset: 0,
    };
    if (topic.startsWith("kline_")) {
      const interval = topic.slice(6);
      const known = BINANCE_INTERVALS.has(interval);
      return {
        ...base,
        kind: "candles",
        timeframe: interval,
        wire: interval,
        market: known ? market : undefined,
      };
    }
    if (topic === "ticker" || topic === "miniTicker") {
      return { ...base, kind: "ticker", wire: topic, mini: topic === "miniTicker" };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- pushes

  /** After an ack: the newest candle opened by the REST fake's now, or the last pushed ticker. */
  #snapshot(s: Sub): void {
    if (!this.hub.snapshot || !s.market) return;
    if (s.kind === "ticker") {
      const t = this.hub.tickers.get(`${s.venue}|${s.symbol}`);
      if (t) this.#send(this.#tickerFrame(s, t));
      return;
    }
    const tf = timeframeMs(s.timeframe!);
    const now = this.hub.rest.nowMs;
    const rows = this.hub.rest.seeded(s.venue, s.symbol, s.timeframe!)
      .filter((c) => c.ts <= now && onGrid(c.ts, s.timeframe!, tf, s.offset));
    const last = rows[rows.length - 1];
    if (last) this.#send(this.#candleFrame(s, last, last.ts + tf <= now));
  }

  #candleFrame(s: Sub, c: Candle, closed: boolean): string {
    if (s.venue === "okx") return okxCandlePush(s.wire, s.market!, c, closed);
    const tf = timeframeMs(s.timeframe!);
    return binanceKline(s.market!, s.wire, tf, c, closed, this.hub.rest.nowMs);
  }

  #tickerFrame(s: Sub, t: FakeTicker): string {
    if (s.venue === "okx") return okxTickerPush(s.market!, t, this.hub.rest.nowMs);
    return binanceTicker(s.market!, t, !!s.mini, this.hub.rest.nowMs);
  }
}
