// Crossover helpers shared by strategies: strict crosses of two lines, as signals.

import type { Signal } from "../core/trading.ts";

/** True when `a` was strictly below `b` on bar i-1 and is strictly above it on bar i. */
export function crossedAbove(a: Float64Array, b: Float64Array, i: number): boolean {
  return i > 0 && a[i - 1] < b[i - 1] && a[i] > b[i];
}

/** True when `a` was strictly above `b` on bar i-1 and is strictly below it on bar i. */
export function crossedBelow(a: Float64Array, b: Float64Array, i: number): boolean {
  return i > 0 && a[i - 1] > b[i - 1] && a[i] < b[i];
}

/**
 * A long signal on a strict cross up of `fast` over `slow`, a short one on a strict cross down
 * (the risk gate turns a short into an exit when the strategy trades long only). NaN never crosses.
 * The signals are frozen and shared: they never differ for one label, and every decision keeps
 * its signal for the whole run.
 */
export function crossSignal(
  fast: Float64Array,
  slow: Float64Array,
  i: number,
  label: string,
): Signal | null {
  // crossedAbove / crossedBelow written out: this runs on every candle, and where several
  // strategies share it V8 did not always inline the two helpers (two calls a candle).
  if (i === 0) return null;
  const f0 = fast[i - 1], s0 = slow[i - 1], f1 = fast[i], s1 = slow[i];
  if (f0 < s0 && f1 > s1) return crossSignals(label).above;
  if (f0 > s0 && f1 < s1) return crossSignals(label).below;
  return null;
}

/** The signals of each label, made on first use. */
const SIGNALS = new Map<string, { above: Signal; below: Signal }>();

function crossSignals(label: string): { above: Signal; below: Signal } {
  let s = SIGNALS.get(label);
  if (s === undefined) {
    s = {
      above: Object.freeze({
        side: "long",
        confidence: 1,
        reason: `fast ${label} crossed above slow ${label}`,
      }),
      below: Object.freeze({
        side: "short",
        confidence: 1,
        reason: `fast ${label} crossed below slow ${label}`,
      }),
    };
    SIGNALS.set(label, s);
  }
  return s;
}
