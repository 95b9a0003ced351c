// What the fake exchange knows of its markets: the listed markets of each venue (with realistic
// precision presets), the seeded candle series, the clock, and the figures drawn from them (last
// price, rolling 24 h ticker). The venue routes (fake_okx_public.ts, fake_binance_public.ts)
// serve it in their wire formats.

import type { Candle } from "../../src/core/candles.ts";
import { timeframeMs } from "../../src/core/timeframe.ts";
import { round8 } from "./fake_rest_wire.ts";

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

/** A market the fake lists (or listed: `listed` is false once delisted), as the routes see it. */
export interface FakeMarket extends FakeInstrument {
  venue: FakeVenue;
  /** Base currency per contract (OKX `ctVal`; "1" for spot and Binance). */
  contractSize: string;
  listed: boolean;
}

/** Rolling 24 h figures behind a ticker (base volume, quote volume at the typical price). */
export interface Ticker24h {
  open: number;
  high: number;
  low: number;
  last: number;
  volume: number;
  quoteVolume: number;
  openTime: number;
  count: number;
}

/** Options of {@link FakeMarketData}. */
export interface FakeMarketDataOptions {
  /** Markets per venue (default: okx BTC/USDT, binanceusdm BTC/USDT:USDT). */
  markets?: Partial<Record<FakeVenue, readonly (string | FakeMarketSpec)[]>>;
  /** Fixed "now" in epoch ms (default: follow the wall clock). */
  nowMs?: number;
}

const DAY = 86_400_000;

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

/** The markets, candle series and clock of one fake exchange. */
export class FakeMarketData {
  readonly #markets = new Map<string, FakeMarket>();
  readonly #series = new Map<string, Candle[]>();
  #fixedNow: number | undefined;

  constructor(options: FakeMarketDataOptions = {}) {
    this.#fixedNow = options.nowMs;
    const lists = options.markets ?? { okx: ["BTC/USDT"], binanceusdm: ["BTC/USDT:USDT"] };
    for (const venue of ["okx", "binanceusdm"] as const) {
      for (const entry of lists[venue] ?? []) {
        const m = makeMarket(venue, typeof entry === "string" ? { symbol: entry } : entry);
        this.#markets.set(`${venue}:${m.symbol}`, m);
      }
    }
  }

  /** The fake's "now" in epoch ms: the fixed time, or the wall clock when none is set. */
  get now(): number {
    return this.#fixedNow ?? Date.now();
  }

  /** Fixes "now" (`undefined` goes back to the wall clock). */
  setNow(value: number | undefined): void {
    this.#fixedNow = value;
  }

  /** Replaces the candles of one series; `timeframe` is ccxt's spelling ("1m", "4h", "1d"). */
  setCandles(venue: FakeVenue, symbol: string, timeframe: string, candles: readonly Candle[]) {
    this.#series.set(this.#seriesKey(venue, symbol, timeframe), sortedUnique([], candles));
  }

  /** Adds candles to one series, replacing any with the same `ts`. */
  addCandles(venue: FakeVenue, symbol: string, timeframe: string, candles: readonly Candle[]) {
    const key = this.#seriesKey(venue, symbol, timeframe);
    this.#series.set(key, sortedUnique(this.#series.get(key) ?? [], candles));
  }

  /** A copy of one seeded series, `[]` when none. */
  seeded(venue: FakeVenue, symbol: string, timeframe: string): Candle[] {
    return (this.#series.get(this.#seriesKey(venue, symbol, timeframe)) ?? []).map((c) => ({
      ...c,
    }));
  }

  /** Removes a market from the lists; its id no longer resolves. */
  delist(venue: FakeVenue, symbol: string): void {
    this.#market(venue, symbol).listed = false;
  }

  /** The listed markets of a venue, in the order they were given. */
  listed(venue: FakeVenue): FakeMarket[] {
    return [...this.#markets.values()].filter((m) => m.venue === venue && m.listed);
  }

  /** A listed market by exchange id ("BTC-USDT", "BTCUSDT"). */
  byId(venue: FakeVenue, id: string): FakeMarket | undefined {
    for (const m of this.#markets.values()) {
      if (m.venue === venue && m.id === id && m.listed) return m;
    }
    return undefined;
  }

  /** A listed market by exchange id, with its rules as the venue lists them. */
  instrument(venue: FakeVenue, id: string): FakeInstrument | undefined {
    const m = this.byId(venue, id);
    if (!m) return undefined;
    const { venue: _venue, contractSize: _contractSize, listed: _listed, ...rules } = m;
    return rules;
  }

  /** The seeded candles of a market's series (the stored array itself, sorted by `ts`). */
  candlesOf(m: FakeMarket, timeframe: string): Candle[] {
    return this.#series.get(`${m.venue}|${m.symbol}|${timeframe}`) ?? [];
  }

  /** Close of the latest candle with `ts <= now` in the finest seeded series of a market. */
  lastPrice(venue: FakeVenue, symbol: string): number | undefined {
    const now = this.now;
    let best: Candle | undefined;
    let bestTf = Infinity;
    for (const [key, rows] of this.#series) {
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

  /** Rolling 24 h statistics of a market from its finest seeded series (zeros without candles). */
  ticker24h(m: FakeMarket): Ticker24h {
    const now = this.now;
    let best: Candle[] = [];
    let bestTf = Infinity;
    for (const [key, rows] of this.#series) {
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

  #market(venue: FakeVenue, symbol: string): FakeMarket {
    const m = this.#markets.get(`${venue}:${symbol}`);
    if (!m) {
      throw new Error(`fake exchange: ${venue} does not list ${symbol}; add it to options.markets`);
    }
    return m;
  }

  #seriesKey(venue: FakeVenue, symbol: string, timeframe: string): string {
    this.#market(venue, symbol);
    timeframeMs(timeframe);
    return `${venue}|${symbol}|${timeframe}`;
  }
}

/** Spot, or a linear swap (a market with a settle currency). */
export function marketKind(m: FakeMarket): "spot" | "swap" {
  return m.settle ? "swap" : "spot";
}

function makeMarket(venue: FakeVenue, spec: FakeMarketSpec): FakeMarket {
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

function sortedUnique(old: readonly Candle[], add: readonly Candle[]): Candle[] {
  const byTs = new Map<number, Candle>();
  for (const c of old) byTs.set(c.ts, c);
  for (const c of add) byTs.set(c.ts, { ...c });
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}
