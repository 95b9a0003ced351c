// Number helpers for the risk rules: tolerant limit comparisons and the formats used in reasons.

import { fmtNum } from "../core/format.ts";

/** Relative tolerance of limit comparisons, so float noise (2.9999999999999996) counts as 3. */
export const TOLERANCE = 1e-9;

/** True when `value` is at least `limit`, within {@link TOLERANCE} (relative to the limit). */
export function atLeast(value: number, limit: number): boolean {
  return value >= limit - Math.abs(limit) * TOLERANCE;
}

/** True when `value` is above `limit` by more than {@link TOLERANCE} (relative to the limit). */
export function above(value: number, limit: number): boolean {
  return value > limit + Math.abs(limit) * TOLERANCE;
}

/** A number for a reason sentence: up to `digits` significant digits, no float noise. */
export function num(n: number, digits = 10): string {
  return fmtNum(n, digits);
}

/** A ratio (reward:risk, leverage, confidence) for a reason sentence: 6 significant digits. */
export function ratio(n: number): string {
  return num(n, 6);
}

/** Percentages already written: every entry's sizing note names the same size and taker fee. */
const PCT_TEXT = new Map<number, string>();

/** A fraction as a percentage for a reason sentence: 0.05 → "5%". */
export function pct(fraction: number): string {
  let text = PCT_TEXT.get(fraction);
  if (text === undefined) {
    text = `${num(fraction * 100, 6)}%`;
    if (PCT_TEXT.size < 256) PCT_TEXT.set(fraction, text); // bounded: drawdowns vary freely
  }
  return text;
}

/** A UTC epoch-ms time as ISO 8601 (UTC). */
export function iso(ts: number): string {
  return new Date(ts).toISOString();
}

/** A duration for people: 5400000 → "1h 30m"; 90000 → "1m 30s"; under a second → "0.5s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${num(ms / 1000, 3)}s`;
  const units: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], [
    "s",
    1000,
  ]];
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000) * 1000;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(" ");
}

/** The start of the UTC day after the one holding `ts`. */
export function nextUtcMidnight(ts: number): number {
  return (Math.floor(ts / 86_400_000) + 1) * 86_400_000;
}
