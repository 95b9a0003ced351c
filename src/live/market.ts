// A ccxt market as the live broker needs it: rounding rules, kind, contract size and fees
// (venue data, no ifs).

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
  /** A linear contract (USDT-margined swap or future): margin, shorts, reduce-only sent. */
  linear: boolean;
  /**
   * Base units per contract (1 on spot and Binance USDT-M). The broker and its ledger count in
   * base units; amounts go to ccxt (and come back) in contracts.
   */
  contractSize: number;
  /** Rounding rules in base units (a contract step times `contractSize`). */
  rules: MarketRules;
  /** The exchange's listed fee rates for the market (ccxt's table; the account may pay less). */
  fees: FeeSchedule;
  /**
   * Both exit legs of a bracket go out as trigger (algo) orders, which freeze nothing until
   * they fire. On spot a resting take-profit limit sell would freeze the coins, and a stop
   * triggered later could then not sell them. On contracts both are triggers too, so a
   * filled take-profit never rests as a limit.
   */
  exitsAsTriggers: boolean;
  /** The take-profit leg is a take-profit-market trigger (contracts), not a limit. */
  takeProfitMarket: boolean;
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
  const linear = m.contract === true && m.linear === true;
  const cs = linear && Number(m.contractSize) > 0 ? Number(m.contractSize) : 1;
  const base = (x: number) => cs === 1 ? x : Number((x * cs).toPrecision(12));
  return {
    symbol,
    base: m.base,
    quote: m.quote,
    spot,
    linear,
    contractSize: cs,
    rules: {
      tickSize: step(m.precision?.price, mode),
      qtyStep: base(step(m.precision?.amount, mode)),
      minQty: base(m.limits?.amount?.min ?? 0),
      minNotional: m.limits?.cost?.min ?? 0,
    },
    fees: { maker: m.maker ?? 0.001, taker: m.taker ?? 0.001 },
    exitsAsTriggers: spot || linear,
    takeProfitMarket: linear,
  };
}

/** `qty` base units of `m` in contracts, as ccxt takes amounts. */
export function toContracts(m: LiveMarket | undefined, qty: number): number {
  const cs = m?.contractSize ?? 1;
  return cs === 1 ? qty : Number((qty / cs).toPrecision(12));
}

/** `amount` contracts of `m` (as ccxt reports them) in base units. */
export function fromContracts(m: LiveMarket | undefined, amount: number): number {
  const cs = m?.contractSize ?? 1;
  return cs === 1 ? amount : Number((amount * cs).toPrecision(12));
}
