// What a candle websocket has shown of one series: the open candle and closed ones not yet delivered.

import type { Exchange, OHLCV } from "ccxt";
import type { Candle, SeriesKey } from "../core/candles.ts";
import { isOnGrid } from "../core/timeframe.ts";

/**
 * The streamed side of a series. A candle is closed once a later one appears; the closed ones
 * wait here until everything before them was delivered (a gap is filled over REST first).
 */
export class StreamCandles {
  /** The newest streamed candle, still open as far as the stream shows. */
  open: Candle | undefined;
  /** Streamed candles known closed and not yet delivered, oldest first. */
  closed: Candle[] = [];
  /** Open time of the newest row taken from ccxt's cache. */
  #seenTs = -Infinity;

  constructor(readonly key: SeriesKey, readonly tfMs: number) {}

  /**
   * The rows updated since the last call, copied from ccxt's candle cache rather than taken from
   * the watch answer: an update that arrives before the next watch is armed (Deno's WebSocket
   * can dispatch two messages within one microtask run) resolves no future and would otherwise
   * wait for the next message. Call it after the watch was re-armed, so nothing slips.
   */
  fresh(ex: Exchange, answer: Record<string, Record<string, OHLCV[]>>): Candle[] {
    const cache = ex.ohlcvs?.[this.key.symbol]?.[this.key.timeframe] as OHLCV[] | undefined;
    let rows: OHLCV[];
    if (cache) {
      rows = [];
      for (let i = cache.length - 1; i >= 0 && Number(cache[i][0]) >= this.#seenTs; i--) {
        rows.push(cache[i]);
      }
    } else rows = Object.values(answer)[0]?.[this.key.timeframe] ?? [];
    const out = rows.map(toCandle).sort((a, b) => a.ts - b.ts);
    if (out.length > 0) this.#seenTs = out[out.length - 1].ts;
    return out;
  }

  /** Takes streamed rows, ignoring those before `from`: a row newer than the open one closes it. */
  take(rows: readonly Candle[], from: number): void {
    for (const c of rows) {
      if (!isOnGrid(c.ts, this.key.timeframe) || c.ts < from) continue;
      const open = this.open;
      if (!open || c.ts === open.ts) this.open = c;
      else if (c.ts > open.ts) {
        this.#keepClosed(open);
        this.open = c;
      } else this.#keepClosed(c); // a late update of a candle already closed
    }
  }

  /** Every candle before this open time is closed, as the stream proves (-Infinity: no proof). */
  evidence(): number {
    const last = this.closed[this.closed.length - 1];
    return Math.max(this.open?.ts ?? -Infinity, last ? last.ts + this.tfMs : -Infinity);
  }

  /** Forgets closed candles before `from` (delivered, or replaced over REST). */
  prune(from: number): void {
    this.closed = this.closed.filter((c) => c.ts >= from);
  }

  #keepClosed(c: Candle): void {
    const i = this.closed.findIndex((x) => x.ts >= c.ts);
    if (i < 0) this.closed.push(c);
    else if (this.closed[i].ts === c.ts) this.closed[i] = c;
    else this.closed.splice(i, 0, c);
  }
}

/** A copy of a ccxt OHLCV row (ccxt keeps mutating its cache rows). */
function toCandle(r: OHLCV): Candle {
  return {
    ts: Number(r[0]),
    open: Number(r[1]),
    high: Number(r[2]),
    low: Number(r[3]),
    close: Number(r[4]),
    volume: Number(r[5] ?? 0),
  };
}
