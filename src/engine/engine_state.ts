// The engine's own state between candles: the day and account book, the candle slot, and the
// symbols it tracks.

import type { Candle } from "../core/candles.ts";
import type { PositionView } from "../core/trading.ts";
import type { Broker } from "../core/ports.ts";

/** Mutable state of the day and the account that risk rules read. */
export interface Book {
  /** Equity after the latest candle. */
  equity: number;
  peak: number;
  day: number;
  /** Open times of `day`: from `dayFrom` (included) to `dayTo` (excluded). */
  dayFrom: number;
  dayTo: number;
  dayStart: number;
  tradesToday: number;
  /** The latest losing exit (the risk context's `lastLoss`, shared until the next one). */
  lastLoss?: { ts: number };
  seenTrades: number;
  killSwitch: boolean;
}

/** One UTC day in ms. */
export const DAY = 86_400_000;

/**
 * The candle passed to `broker.onBar`, one object rewritten for every candle. A class with
 * fields that start as doubles: written 6 times a candle, its fields measured several times
 * faster than those of an object literal (V8 keeps them as in-place doubles).
 */
export class CandleSlot implements Candle {
  ts = NaN;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = NaN;
}

/** The symbols an engine tracks: their open positions for risk rules, and their client ids. */
export class TrackedSymbols {
  /** In the order they were registered (no duplicates). */
  readonly #symbols: string[] = [];
  /**
   * The open positions at the latest decision. A new array only when they changed: rules read it
   * and never keep it (see DecisionContext), and emptying and refilling one array made V8 drop
   * and allocate its storage for every decision.
   */
  #positions: PositionView[] = [];
  #idHeadSymbol: string | undefined;
  #idHead = "";

  /** Symbols whose client ids start with `${prefix}-${symbol}-`. */
  constructor(readonly prefix: string) {}

  /** Registers `symbol` (once). */
  track(symbol: string): void {
    if (!this.#symbols.includes(symbol)) this.#symbols.push(symbol);
  }

  /** The open positions of the tracked symbols at `broker`, in registration order. */
  positions(broker: Broker): PositionView[] {
    const last = this.#positions;
    let n = 0;
    let same = true;
    for (let k = 0; k < this.#symbols.length; k++) {
      const p = broker.position(this.#symbols[k]);
      if (p === undefined) continue;
      if (last[n] !== p) same = false;
      n++;
    }
    if (same && n === last.length) return last;
    const out: PositionView[] = [];
    for (let k = 0; k < this.#symbols.length; k++) {
      const p = broker.position(this.#symbols[k]);
      if (p !== undefined) out.push(p);
    }
    return this.#positions = out;
  }

  /** `${prefix}-${symbol}-`, the start of every client id of `symbol` (the last one is kept). */
  idHead(symbol: string): string {
    if (symbol !== this.#idHeadSymbol) {
      this.#idHeadSymbol = symbol;
      this.#idHead = `${this.prefix}-${symbol}-`;
    }
    return this.#idHead;
  }
}
