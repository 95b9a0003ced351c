// Whether an entry signal would do anything, so strategies stay quiet instead of being refused.

import type { Direction, PositionSide } from "../core/trading.ts";

/** The part of a position an entry filter needs. */
export interface SideOf {
  side: PositionSide;
}

/**
 * True when a `side` entry signal has an effect: it is not the side already held (the risk gate
 * would refuse it as already_in_position), and when flat the strategy's `direction` allows it
 * (a long-only strategy's short signal is still useful while long: the gate turns it into an
 * exit). Strategies call it before building a signal, so no decision is recorded for nothing.
 *
 * @example
 * ```ts
 * acts("short", "long", undefined); // false: flat and shorts are disabled
 * acts("short", "long", { side: "long" }); // true: closes the long
 * ```
 */
export function acts(
  side: PositionSide,
  direction: Direction,
  position: SideOf | undefined,
): boolean {
  if (position) return position.side !== side;
  return direction === "both" || direction === side;
}
