// Candle integrity checks: gaps, duplicates, off-grid or unordered times and impossible values.

import { type CandleColumns, isoUtc } from "../core/candles.ts";
import { floorToTimeframe, timeframeMs } from "../core/timeframe.ts";

/** Every kind of problem {@link checkCandles} reports. */
export const PROBLEM_KINDS = [
  "gap",
  "duplicate",
  "off_grid",
  "unordered",
  "high_below_open_close",
  "low_above_open_close",
  "high_below_low",
  "non_positive",
  "not_finite",
  "negative_volume",
] as const;

/** One kind of problem in a candle series. */
export type ProblemKind = typeof PROBLEM_KINDS[number];

/** One problem found in a candle series. */
export interface Problem {
  kind: ProblemKind;
  /** The candle's open time; for a gap, the open time of the first missing candle. */
  ts: number;
  /** A short sentence for people, with ISO times and the values involved. */
  detail: string;
  /** For gaps: how many candles are missing. */
  missing?: number;
}

const PRICE_FIELDS = ["open", "high", "low", "close"] as const;
const ALL_FIELDS = ["ts", "open", "high", "low", "close", "volume"] as const;

/** " at <ISO time>" for a finite `ts`, else "" (the bad ts is reported as not_finite). */
function at(ts: number): string {
  return Number.isFinite(ts) ? ` at ${isoUtc(ts)}` : "";
}

/**
 * Checks candles (maybe raw: unsorted, duplicated) against the timeframe and OHLCV rules.
 * Returns the problems sorted by `ts` (problems with a non-finite `ts` last); [] when clean.
 * Gaps are measured between consecutive distinct times in time order, one problem per gap.
 *
 * @example
 * ```ts
 * const problems = checkCandles(cols, "1m");
 * for (const p of problems) console.log(p.kind, p.detail);
 * // gap 2 missing 1m candles from 2024-01-01T00:02:00.000Z to 2024-01-01T00:03:00.000Z
 * ```
 */
export function checkCandles(cols: CandleColumns, timeframe: string): Problem[] {
  const tfMs = timeframeMs(timeframe);
  const origin = floorToTimeframe(0, timeframe);
  const n = cols.ts.length;
  const problems: Problem[] = [];
  let gaps: Problem[] = [];
  let max = -Infinity; // latest finite time seen so far
  let seen: Set<number> | null = null; // built only once the input turns out to be unordered
  let unordered = false;

  for (let i = 0; i < n; i++) {
    const t = cols.ts[i];
    checkValues(cols, i, t, problems);
    if (!Number.isFinite(t)) continue;

    const floor = Math.floor((t - origin) / tfMs) * tfMs + origin;
    if (floor !== t) {
      const prior = isoUtc(floor);
      const detail = `${isoUtc(t)} is not on the ${timeframe} grid (boundary before: ${prior})`;
      problems.push({ kind: "off_grid", ts: t, detail });
    }

    if (t < max && seen === null) {
      seen = new Set();
      for (let j = 0; j < i; j++) if (Number.isFinite(cols.ts[j])) seen.add(cols.ts[j]);
    }
    if (t === max || (seen !== null && seen.has(t))) {
      problems.push({ kind: "duplicate", ts: t, detail: `${isoUtc(t)} appears more than once` });
    } else if (t < max) {
      unordered = true;
      problems.push({
        kind: "unordered",
        ts: t,
        detail: `${isoUtc(t)} comes after the later ${isoUtc(max)}; rows must be in time order`,
      });
    } else if (max !== -Infinity && t - max > tfMs) {
      gaps.push(gapProblem(max, t, tfMs, timeframe));
    }
    if (seen !== null) seen.add(t);
    if (t > max) max = t;
  }

  if (unordered) {
    // Gaps seen while scanning may be filled by later rows: measure them on sorted times.
    gaps = [];
    const sorted = Float64Array.from(cols.ts.filter(Number.isFinite)).sort();
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] - sorted[i - 1] > tfMs) {
        gaps.push(gapProblem(sorted[i - 1], sorted[i], tfMs, timeframe));
      }
    }
  }

  const all = problems.concat(gaps);
  const key = (p: Problem): number => (Number.isFinite(p.ts) ? p.ts : Infinity);
  return all.sort((a, b) => key(a) - key(b));
}

/** The gap between candles at `prev` and `next`, which are more than one timeframe apart. */
function gapProblem(prev: number, next: number, tfMs: number, timeframe: string): Problem {
  const missing = Math.ceil((next - prev) / tfMs) - 1;
  const first = prev + tfMs;
  const last = prev + missing * tfMs;
  const detail = missing === 1
    ? `1 missing ${timeframe} candle at ${isoUtc(first)}`
    : `${missing} missing ${timeframe} candles from ${isoUtc(first)} to ${isoUtc(last)}`;
  return { kind: "gap", ts: first, detail, missing };
}

/** Pushes the value problems of row `i` (non-finite, non-positive, OHLC order, volume). */
function checkValues(cols: CandleColumns, i: number, t: number, out: Problem[]): void {
  const open = cols.open[i], high = cols.high[i], low = cols.low[i], close = cols.close[i];
  const volume = cols.volume[i];
  // Fast path for a sound row (NaN fails every comparison, Infinity fails the finiteness test).
  if (
    open > 0 && close > 0 && low > 0 && high >= open && high >= close && low <= open &&
    low <= close && volume >= 0 && high < Infinity && volume < Infinity && Number.isFinite(t)
  ) return;
  const where = at(t);
  const bad = ALL_FIELDS.filter((f) => !Number.isFinite(cols[f][i]));
  if (bad.length > 0) {
    const list = bad.map((f) => `${f} ${cols[f][i]}`).join(", ");
    out.push({ kind: "not_finite", ts: t, detail: `not a finite number: ${list}${where}` });
  }
  const pricesFinite = Number.isFinite(open) && Number.isFinite(high) &&
    Number.isFinite(low) && Number.isFinite(close);
  if (pricesFinite) {
    const nonPositive = PRICE_FIELDS.filter((f) => cols[f][i] <= 0);
    if (nonPositive.length > 0) {
      const list = nonPositive.map((f) => `${f} ${cols[f][i]}`).join(", ");
      out.push({ kind: "non_positive", ts: t, detail: `not positive: ${list}${where}` });
    }
    if (high < Math.max(open, close)) {
      out.push({
        kind: "high_below_open_close",
        ts: t,
        detail: `high ${high} is below open ${open} or close ${close}${where}`,
      });
    }
    if (low > Math.min(open, close)) {
      out.push({
        kind: "low_above_open_close",
        ts: t,
        detail: `low ${low} is above open ${open} or close ${close}${where}`,
      });
    }
    if (high < low) {
      out.push({
        kind: "high_below_low",
        ts: t,
        detail: `high ${high} is below low ${low}${where}`,
      });
    }
  }
  if (volume < 0) {
    out.push({ kind: "negative_volume", ts: t, detail: `volume ${volume} is negative${where}` });
  }
}

/**
 * Counts problems per kind (every kind present, zero when absent).
 *
 * @example
 * ```ts
 * summarizeProblems(checkCandles(cols, "1h")).gap; // number of gaps
 * ```
 */
export function summarizeProblems(problems: readonly Problem[]): Record<ProblemKind, number> {
  const counts = Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<
    ProblemKind,
    number
  >;
  for (const p of problems) counts[p.kind]++;
  return counts;
}
