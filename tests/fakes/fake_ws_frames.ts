// Wire frames of the websocket fake: OKX v5 and Binance USDT-M candle, ticker, ack and error messages.

import type { Candle } from "../../src/core/candles.ts";

/** Ticker figures a test pushes; the fake fills in the rest the way the venue would. */
export interface FakeTicker {
  last: number;
  bid?: number;
  ask?: number;
  /** 24 h open, high, low (default: `last`). */
  open?: number;
  high?: number;
  low?: number;
  /** 24 h base volume (default 0). */
  volume?: number;
  /** 24 h quote volume (default `volume * last`). */
  quoteVolume?: number;
  /** Event time in ms (default: the fake's now). */
  ts?: number;
}

/** What the frames need to know about a market. */
export interface FrameMarket {
  /** Venue id: OKX "BTC-USDT" / "BTC-USDT-SWAP", Binance "BTCUSDT". */
  id: string;
  swap: boolean;
  /** Base currency per contract (OKX swaps). */
  contractSize: number;
}

// ---------------------------------------------------------------- OKX

/** `{"event":"subscribe"|"unsubscribe","arg":{...},"connId":"..."}`. */
export function okxAck(event: string, arg: unknown, connId: string): string {
  return JSON.stringify({ event, arg, connId });
}

/** `{"event":"error","code":"...","msg":"...","connId":"..."}`. */
export function okxError(code: string, msg: string, connId: string): string {
  return JSON.stringify({ event: "error", code, msg, connId });
}

/** The 60018 error OKX sends for a channel on the wrong URL or an unknown instrument. */
export function okxNoChannel(arg: { channel?: unknown; instId?: unknown }, connId: string): string {
  return okxError(
    "60018",
    `Wrong URL or channel:${arg.channel},instId:${arg.instId} doesn't exist. ` +
      "Please use the correct URL, channel and parameters referring to API document.",
    connId,
  );
}

/**
 * A candle push: `{"arg":{"channel","instId"},"data":[[ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm]]}`
 * with REST's volume semantics (spot `vol` base; swap `vol` contracts, `volCcy` base).
 */
export function okxCandlePush(channel: string, m: FrameMarket, c: Candle, closed: boolean): string {
  const quoteVolume = round8(c.volume * (c.high + c.low + c.close) / 3);
  const vol = m.swap ? round8(c.volume / m.contractSize) : c.volume;
  const volCcy = m.swap ? c.volume : quoteVolume;
  const row = [c.ts, c.open, c.high, c.low, c.close, vol, volCcy, quoteVolume].map(num);
  row.push(closed ? "1" : "0");
  return JSON.stringify({ arg: { channel, instId: m.id }, data: [row] });
}

/** A `tickers` push: `{"arg":{"channel":"tickers","instId"},"data":[{instType, last, ...}]}`. */
export function okxTickerPush(m: FrameMarket, t: FakeTicker, now: number): string {
  const volume = t.volume ?? 0;
  const quote = t.quoteVolume ?? round8(volume * t.last);
  const row = {
    instType: m.swap ? "SWAP" : "SPOT",
    instId: m.id,
    last: num(t.last),
    lastSz: "1",
    askPx: num(t.ask ?? t.last),
    askSz: "1",
    bidPx: num(t.bid ?? t.last),
    bidSz: "1",
    open24h: num(t.open ?? t.last),
    high24h: num(t.high ?? t.last),
    low24h: num(t.low ?? t.last),
    volCcy24h: num(m.swap ? volume : quote),
    vol24h: num(m.swap ? round8(volume / m.contractSize) : volume),
    ts: String(t.ts ?? now),
    sodUtc0: num(t.open ?? t.last),
    sodUtc8: num(t.open ?? t.last),
  };
  return JSON.stringify({ arg: { channel: "tickers", instId: m.id }, data: [row] });
}

// ---------------------------------------------------------------- Binance

/** `{"result":null,"id":N}`: the answer to SUBSCRIBE and UNSUBSCRIBE. */
export function binanceResult(id: unknown, result: unknown = null): string {
  return JSON.stringify({ result, id });
}

/** `{"error":{"code":2|3,"msg":"..."},"id":N}`: 2 an invalid request, 3 invalid JSON. */
export function binanceError(id: unknown, code: number, msg: string): string {
  return JSON.stringify({ error: { code, msg }, id: id ?? null });
}

/** A `<symbol>@kline_<interval>` event: `{"e":"kline","E","s","k":{"t","T","i","o","c","h","l","v","x",...}}`. */
export function binanceKline(
  m: FrameMarket,
  interval: string,
  tfMs: number,
  c: Candle,
  closed: boolean,
  now: number,
): string {
  const quoteVolume = round8(c.volume * (c.high + c.low + c.close) / 3);
  const trades = Math.max(0, Math.round(c.volume * 10));
  return JSON.stringify({
    e: "kline",
    E: now,
    s: m.id,
    k: {
      t: c.ts,
      T: c.ts + tfMs - 1,
      s: m.id,
      i: interval,
      f: 1,
      L: trades,
      o: num(c.open),
      c: num(c.close),
      h: num(c.high),
      l: num(c.low),
      v: num(c.volume),
      n: trades,
      x: closed,
      q: num(quoteVolume),
      V: num(round8(c.volume / 2)),
      Q: num(round8(quoteVolume / 2)),
      B: "0",
    },
  });
}

/** A `<symbol>@ticker` (`24hrTicker`) or `<symbol>@miniTicker` (`24hrMiniTicker`) event. */
export function binanceTicker(m: FrameMarket, t: FakeTicker, mini: boolean, now: number): string {
  const ts = t.ts ?? now;
  const volume = t.volume ?? 0;
  const quote = t.quoteVolume ?? round8(volume * t.last);
  const open = t.open ?? t.last;
  const base = {
    e: mini ? "24hrMiniTicker" : "24hrTicker",
    E: ts,
    s: m.id,
    c: num(t.last),
    o: num(open),
    h: num(t.high ?? t.last),
    l: num(t.low ?? t.last),
    v: num(volume),
    q: num(quote),
  };
  if (mini) return JSON.stringify(base);
  return JSON.stringify({
    ...base,
    p: num(round8(t.last - open)),
    P: open > 0 ? ((t.last - open) / open * 100).toFixed(3) : "0.000",
    w: volume > 0 ? num(round8(quote / volume)) : "0",
    Q: "1",
    O: ts - 86_400_000,
    C: ts,
    F: 1,
    L: Math.max(1, Math.round(volume * 10)),
    n: Math.max(1, Math.round(volume * 10)),
  });
}

// ---------------------------------------------------------------- helpers

function round8(n: number): number {
  return Number(n.toFixed(8));
}

/** Shortest exact decimal text of `n`, never in exponent form. */
function num(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, "");
}
