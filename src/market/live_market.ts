// A ccxt market as the live broker needs it: rounding rules, kind and fees (venue data, no ifs).

import type { Exchange, Market } from "ccxt";
import type { FeeSchedule, MarketRules } from "../core/trading.ts";

/** ccxt's precision modes (base/functions/number.js). */
const DECIMAL_PLACES = 2;
const SIGNIFICANT_DIGITS = 3;

/** What the live broker knows about one market. */
export interface LiveMarket {
  symbol: string;
  base: string;
  quote: string;
  /** Spot: no shorts, reduce-only enforced by the broker, not sent. */
  spot: boolean;
  rules: MarketRules;
  /** The exchange's listed fee rates for the market (ccxt's table; the account may pay less). */
  fees: FeeSchedule;
  /**
   * Both exit legs of a bracket go out as trigger (algo) orders, which freeze nothing until
   * they fire. On spot a resting take-profit limit sell would freeze the coins, and a stop
   * triggered later could then not sell them.
   */
  exitsAsTriggers: boolean;
}

/** A precision value of ccxt as a step: ticks as they are, decimal places as 10^-n. */
function step(value: number | undefined, mode: number | undefined): number {
  if (value === undefined || !(value > 0)) return 0;
  if (mode === DECIMAL_PLACES) return Number((10 ** -value).toPrecision(12));
  if (mode === SIGNIFICANT_DIGITS) return 0; // no fixed step: the exchange rounds
  return value;
}

/**
 * The rules of `symbol` from the exchange's loaded markets (`loadMarkets` first), or undefined
 * when the exchange does not list it.
 */
export function liveMarket(ex: Exchange, symbol: string): LiveMarket | undefined {
  const m: Market | undefined = ex.markets?.[symbol];
  if (!m) return undefined;
  const mode = ex.precisionMode ?? 4;
  const spot = m.spot === true;
  return {
    symbol,
    base: m.base,
    quote: m.quote,
    spot,
    rules: {
      tickSize: step(m.precision?.price, mode),
      qtyStep: step(m.precision?.amount, mode),
      minQty: m.limits?.amount?.min ?? 0,
      minNotional: m.limits?.cost?.min ?? 0,
    },
    fees: { maker: m.maker ?? 0.001, taker: m.taker ?? 0.001 },
    exitsAsTriggers: spot,
  };
}
