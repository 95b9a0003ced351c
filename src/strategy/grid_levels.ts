// Grid lines for range trading: evenly spaced levels and which of them the close just crossed.

/**
 * `count` evenly spaced prices from `lower` to `upper`, both included (count >= 2).
 *
 * @example
 * ```ts
 * gridLevels(100, 110, 3); // [100, 105, 110]
 * ```
 */
export function gridLevels(lower: number, upper: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const step = (upper - lower) / (count - 1);
  for (let k = 0; k < count; k++) out[k] = k === count - 1 ? upper : lower + k * step;
  return out;
}

/**
 * Index of the LOWEST level the close crossed going down (`prev > level >= close`) among
 * levels `0..last`, or -1. Landing exactly on a level counts; starting on it does not.
 */
export function crossedDown(
  levels: Float64Array,
  prev: number,
  close: number,
  last: number,
): number {
  for (let k = 0; k <= last; k++) if (prev > levels[k] && levels[k] >= close) return k;
  return -1;
}

/**
 * Index of the HIGHEST level the close crossed going up (`prev < level <= close`) among
 * levels `first..levels.length - 1`, or -1.
 */
export function crossedUp(
  levels: Float64Array,
  prev: number,
  close: number,
  first: number,
): number {
  for (let k = levels.length - 1; k >= first; k--) {
    if (prev < levels[k] && levels[k] <= close) return k;
  }
  return -1;
}

/** Lowest low and highest high of bars `0..n-1` (NaN when n is 0). */
export function priceRange(low: Float64Array, high: Float64Array, n: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (low[i] < lo) lo = low[i];
    if (high[i] > hi) hi = high[i];
  }
  return n > 0 ? [lo, hi] : [NaN, NaN];
}
