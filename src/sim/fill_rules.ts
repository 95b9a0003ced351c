// Pure fill rules: where a price path reaches an order, limit and stop fills on a candle,
// slippage, trailing-stop levels, isolated liquidation prices and funding times.

import type { OrderSide } from "../core/trading.ts";

/** Funding is settled every 8 hours, at 00:00, 08:00 and 16:00 UTC. */
export const FUNDING_INTERVAL_MS = 8 * 3_600_000;

/** True when `ts` (a bar's open time, UTC ms) is a funding time. */
export function isFundingTime(ts: number): boolean {
  return ts % FUNDING_INTERVAL_MS === 0;
}

/**
 * `price` moved against the trader by `bps` basis points: buys fill higher, sells lower.
 *
 * @example
 * ```ts
 * slip(100, "buy", 10); // 100.1
 * ```
 */
export function slip(price: number, side: OrderSide, bps: number): number {
  if (bps === 0) return price;
  return side === "buy" ? price * (1 + bps / 10_000) : price * (1 - bps / 10_000);
}

/**
 * The direction the price must move to reach an order: -1 falling (buy limits, sell stops,
 * a long's liquidation), +1 rising (sell limits, buy stops, a short's liquidation).
 */
export function triggerDirection(side: OrderSide, kind: "limit" | "stop"): 1 | -1 {
  if (kind === "limit") return side === "buy" ? -1 : 1;
  return side === "buy" ? 1 : -1;
}

/**
 * Where a price moving from `cur` to `to` first reaches `level` for a trigger in direction
 * `dir`: `cur` itself when it is already at or beyond the level (a gap), `level` when the move
 * crosses it, NaN when it does not get there.
 */
export function reachPrice(dir: number, level: number, cur: number, to: number): number {
  if (dir < 0) return cur <= level ? cur : to <= level ? level : NaN;
  return cur >= level ? cur : to >= level ? level : NaN;
}

/**
 * Fill price of a resting limit on one candle: the open when the candle opens beyond the limit
 * in the trader's favour, the limit when the range touches it, NaN otherwise. No slippage.
 *
 * @example
 * ```ts
 * limitFillPrice("buy", 100, 103, 104, 99); // 100
 * limitFillPrice("buy", 100, 98, 101, 97); // 98 (gap down through a buy limit)
 * ```
 */
export function limitFillPrice(
  side: OrderSide,
  limit: number,
  open: number,
  high: number,
  low: number,
): number {
  return reachPrice(triggerDirection(side, "limit"), limit, open, side === "buy" ? low : high);
}

/**
 * Trigger price of a stop on one candle: the open when the candle gaps through the stop, the stop
 * when the range touches it, NaN otherwise. Slippage comes on top (see `slip`).
 *
 * @example
 * ```ts
 * stopTriggerPrice("sell", 95, 100, 101, 94); // 95
 * stopTriggerPrice("sell", 95, 93, 96, 92); // 93 (gap down through a sell stop)
 * ```
 */
export function stopTriggerPrice(
  side: OrderSide,
  stop: number,
  open: number,
  high: number,
  low: number,
): number {
  return reachPrice(triggerDirection(side, "stop"), stop, open, side === "buy" ? high : low);
}

/**
 * Level of a trailing stop from the best price so far: a sell stop (protecting a long) sits at
 * `best * (1 - trail)`, never below `floor`; a buy stop (protecting a short) at
 * `best * (1 + trail)`, never above `floor`. `floor` NaN means none.
 */
export function trailingLevel(side: OrderSide, best: number, trail: number, floor = NaN): number {
  if (side === "sell") {
    const lvl = best * (1 - trail);
    return floor > lvl ? floor : lvl;
  }
  const lvl = best * (1 + trail);
  return floor < lvl ? floor : lvl;
}
