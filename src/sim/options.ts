// SimBroker options: their defaults, validation (ConfigError naming the bad value) and the
// funding-rate lookup.

import { ConfigError } from "../core/errors.ts";
import type { FeeSchedule, MarketRules } from "../core/trading.ts";
import { num } from "../core/order_rules.ts";

/** Per-8h funding rate: one constant, or a series looked up by the latest rate at or before. */
export type FundingSource = { rate: number } | { ts: Float64Array; rate: Float64Array };

/** How the simulated broker behaves. */
export interface SimBrokerOptions {
  /** Starting wallet balance in quote currency (required). */
  cash: number;
  /** Fee rates per fill (default maker 0.0002, taker 0.0005). */
  fees?: FeeSchedule;
  /** Slippage on market, stop-market, trailing and close-out fills, against the trader (default 0). */
  slippageBps?: number;
  /** Exchange rules by symbol (default: no rounding, no minimums). */
  rules?: Record<string, MarketRules>;
  /** Leverage of positions opened by orders that do not set one (default 1). */
  leverage?: number;
  /** Maintenance margin rate used in liquidation prices (default 0.005). */
  maintenanceMarginRate?: number;
  /** Funding rate per 8 hours (default none). */
  funding?: FundingSource;
  /** Order ids are `${idPrefix}${n}`, n counting from 1 (default "sim-"). */
  idPrefix?: string;
}

/** Default fees: maker 0.02 %, taker 0.05 %. */
export const DEFAULT_FEES: Readonly<FeeSchedule> = Object.freeze({ maker: 0.0002, taker: 0.0005 });

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<SimBrokerOptions, "funding">> & {
  funding: FundingSource | undefined;
};

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Fills in defaults and checks every option; throws ConfigError naming the bad value. */
export function resolveOptions(o: SimBrokerOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    cash: o.cash,
    fees: o.fees ?? DEFAULT_FEES,
    slippageBps: o.slippageBps ?? 0,
    rules: o.rules ?? {},
    leverage: o.leverage ?? 1,
    maintenanceMarginRate: o.maintenanceMarginRate ?? 0.005,
    funding: o.funding,
    idPrefix: o.idPrefix ?? "sim-",
  };
  const bad = (what: string) => new ConfigError(`SimBroker: ${what}.`);
  if (!finite(r.cash) || r.cash < 0) throw bad(`cash ${r.cash} is not a number of at least 0`);
  const f = r.fees;
  if (!finite(f.maker) || !finite(f.taker) || f.maker < 0 || f.taker < 0) {
    throw bad(`fees ${JSON.stringify(f)} need maker and taker rates of at least 0`);
  }
  if (!finite(r.slippageBps) || r.slippageBps < 0) {
    throw bad(`slippageBps ${r.slippageBps} is not a number of at least 0`);
  }
  if (!finite(r.leverage) || r.leverage < 1) {
    throw bad(`leverage ${r.leverage} is not a number of at least 1`);
  }
  const mmr = r.maintenanceMarginRate;
  if (!finite(mmr) || mmr < 0 || mmr >= 1 / r.leverage) {
    throw bad(
      `maintenanceMarginRate ${mmr} must be at least 0 and below 1/leverage (${
        num(1 / r.leverage)
      })`,
    );
  }
  for (const [symbol, m] of Object.entries(r.rules)) {
    if (![m.tickSize, m.qtyStep, m.minQty, m.minNotional].every((x) => finite(x) && x >= 0)) {
      throw bad(`rules for "${symbol}" need tickSize, qtyStep, minQty and minNotional >= 0`);
    }
  }
  const fs = r.funding;
  if (fs !== undefined && !("ts" in fs) && !finite(fs.rate)) {
    throw bad(`funding rate ${fs.rate} is not a number`);
  }
  if (fs !== undefined && "ts" in fs) {
    if (fs.ts.length !== fs.rate.length) {
      throw bad(`funding series has ${fs.ts.length} times but ${fs.rate.length} rates`);
    }
    for (let i = 0; i < fs.ts.length; i++) {
      if (!finite(fs.ts[i]) || !finite(fs.rate[i]) || (i > 0 && fs.ts[i] <= fs.ts[i - 1])) {
        throw bad(`funding series entry ${i} is not finite or not after the one before`);
      }
    }
  }
  return r;
}

/** Funding rate at `ts`: the constant, or the latest series rate at or before it (else 0). */
export function fundingRateAt(f: FundingSource, ts: number): number {
  if (!("ts" in f)) return f.rate;
  let lo = 0;
  let hi = f.ts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (f.ts[mid] <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? 0 : f.rate[found];
}
