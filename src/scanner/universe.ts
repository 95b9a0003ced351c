// Which symbols a scan looks at: ccxt markets filtered by activity, quote, type and exclusions.

import type { Exchange, Market, Ticker } from "ccxt";
import { exchangeInfo } from "../exchange/exchanges.ts";
import { resolveSymbol } from "../exchange/symbols.ts";

/** Market types the scanner ranks: spot pairs and perpetual swaps. */
export type MarketType = "spot" | "swap";

/** A unified ccxt symbol taken apart. */
export interface SymbolParts {
  base: string;
  quote: string;
  /** Settlement currency of a derivative ("USDT" in "BTC/USDT:USDT"), undefined for spot. */
  settle?: string;
  /** "spot" for BASE/QUOTE, "swap" for BASE/QUOTE:SETTLE, "future" when an expiry follows. */
  type: MarketType | "future";
}

/**
 * Splits a unified ccxt symbol: "BTC/USDT" (spot), "BTC/USDT:USDT" (perpetual swap),
 * "BTC/USDT:USDT-250328" (dated future).
 *
 * @example
 * ```ts
 * parseSymbol("ETH/USDT:USDT"); // { base: "ETH", quote: "USDT", settle: "USDT", type: "swap" }
 * ```
 */
export function parseSymbol(symbol: string): SymbolParts {
  const [pair, deriv] = symbol.split(":");
  const [base = "", quote = ""] = pair.split("/");
  if (deriv === undefined) return { base, quote, type: "spot" };
  const [settle, expiry] = deriv.split("-");
  return { base, quote, settle, type: expiry ? "future" : "swap" };
}

/** Which symbols to keep. */
export interface SymbolFilter {
  /** Quote currency to keep, case-insensitive (default: any). */
  quote?: string;
  /** Market types to keep (default: both). */
  types?: readonly MarketType[];
  /**
   * Exclusions, case-insensitive: an entry with "/" matches a symbol exactly or its BASE/QUOTE
   * part (so "BTC/USDT" drops the spot pair and the perpetual); an entry without "/" matches the
   * base currency ("USDC" drops USDC/USDT).
   */
  exclude?: readonly string[];
}

/** True when `symbol` matches one of the exclusions (see {@link SymbolFilter.exclude}). */
export function isExcluded(symbol: string, exclude: readonly string[] = []): boolean {
  if (exclude.length === 0) return false;
  const s = symbol.toUpperCase();
  const pair = s.split(":")[0];
  const base = pair.split("/")[0];
  return exclude.some((e) => {
    const x = e.trim().toUpperCase();
    return x.includes("/") ? x === s || x === pair : x === base;
  });
}

/**
 * Whether `symbol` passes the filter (type, quote, exclusions).
 *
 * @example
 * ```ts
 * keepSymbol("BTC/USDT:USDT", { quote: "USDT", types: ["swap"] }); // true
 * ```
 */
export function keepSymbol(symbol: string, filter: SymbolFilter = {}): boolean {
  const p = parseSymbol(symbol);
  if (p.type === "future") return false;
  if (filter.types && !filter.types.includes(p.type)) return false;
  if (filter.quote && p.quote.toUpperCase() !== filter.quote.toUpperCase()) return false;
  return !isExcluded(symbol, filter.exclude);
}

/**
 * Symbols of a loaded ccxt exchange that are active (ccxt `active !== false`), of a wanted type
 * (`market.type` "spot" or "swap"), in the quote currency and not excluded; sorted.
 *
 * @example
 * ```ts
 * await ex.loadMarkets();
 * selectMarkets(ex, { quote: "USDT", types: ["spot"] }); // ["BTC/USDT", "ETH/USDT", ...]
 * ```
 */
export function selectMarkets(ex: Exchange, filter: SymbolFilter = {}): string[] {
  const out: string[] = [];
  for (const m of Object.values(ex.markets ?? {}) as Market[]) {
    if (!m || m.active === false) continue;
    if (m.type !== "spot" && m.type !== "swap") continue;
    if (filter.types && !filter.types.includes(m.type)) continue;
    if (filter.quote && String(m.quote).toUpperCase() !== filter.quote.toUpperCase()) continue;
    if (isExcluded(m.symbol, filter.exclude)) continue;
    out.push(m.symbol);
  }
  return out.sort();
}

/**
 * 24 h quote volume of a ccxt ticker: `quoteVolume` when the venue gives it, else
 * baseVolume × contract size × last price (OKX swaps report contracts). NaN when unknown.
 */
export function tickerQuoteVolume(t: Ticker, market?: Market): number {
  if (t.quoteVolume !== undefined && t.quoteVolume !== null) return Number(t.quoteVolume);
  const last = Number(t.last ?? t.close ?? NaN);
  const size = Number(market?.contractSize ?? 1);
  const base = t.baseVolume ?? NaN;
  return Number(base) * (market?.contract ? size : 1) * last;
}

/**
 * Fetches every ticker of the wanted types (one request per type) and returns 24 h quote
 * volumes by symbol. Venues or types that cannot list tickers are left out, not fatal.
 */
export async function fetchQuoteVolumes(
  ex: Exchange,
  types: readonly MarketType[],
  call: <T>(fn: () => Promise<T>) => Promise<T>,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!ex.has?.fetchTickers) return out;
  for (const type of types) {
    try {
      const tickers = await call(() => ex.fetchTickers(undefined, { type }));
      for (const [symbol, t] of Object.entries(tickers)) {
        out.set(symbol, tickerQuoteVolume(t, ex.markets?.[symbol]));
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      // A venue without tickers for this type: the candle-based filter still applies.
    }
  }
  return out;
}

/** True when `name` is an exchange Tidewatch can talk to. */
export function isSupported(name: string): boolean {
  try {
    exchangeInfo(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves symbols as typed ("BTC-USDT", "BTCUSDT") to ccxt's spelling on a loaded exchange;
 * those it does not list come back in `unknown` with the reason.
 */
export function resolveAll(
  ex: Exchange,
  wanted: readonly string[],
): { symbols: string[]; unknown: { symbol: string; reason: string }[] } {
  const symbols: string[] = [];
  const unknown: { symbol: string; reason: string }[] = [];
  for (const s of wanted) {
    try {
      symbols.push(resolveSymbol(ex, s));
    } catch (err) {
      unknown.push({ symbol: s, reason: (err as Error).message });
    }
  }
  return { symbols, unknown };
}
