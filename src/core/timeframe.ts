// Timeframes ("1m", "4h", "1d", "1w"): their length in ms and the UTC grid they sit on.

import { ConfigError } from "./errors.ts";

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Monday 1970-01-05 00:00 UTC: weekly candles start on Mondays, as on exchanges. */
const WEEK_ORIGIN_MS = 4 * 86_400_000;

/**
 * Length of a timeframe in milliseconds.
 *
 * @example
 * ```ts
 * timeframeMs("15m"); // 900000
 * ```
 */
export function timeframeMs(timeframe: string): number {
  const m = /^([1-9][0-9]*)([smhdw])$/.exec(timeframe);
  if (!m) {
    throw new ConfigError(
      `Timeframe "${timeframe}" is not valid: use a number and a unit s, m, h, d or w, such as "1m", "4h" or "1d".`,
    );
  }
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** Start of the timeframe bucket that contains `ts` (UTC; weeks start on Monday). */
export function floorToTimeframe(ts: number, timeframe: string): number {
  const len = timeframeMs(timeframe);
  const origin = timeframe.endsWith("w") ? WEEK_ORIGIN_MS : 0;
  return Math.floor((ts - origin) / len) * len + origin;
}

/** True when `ts` lies exactly on the timeframe's UTC grid. */
export function isOnGrid(ts: number, timeframe: string): boolean {
  return floorToTimeframe(ts, timeframe) === ts;
}

/** Parses a comma-separated list of timeframes, checking each. */
export function parseTimeframes(list: string): string[] {
  const out = list.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  for (const tf of out) timeframeMs(tf);
  return out;
}
