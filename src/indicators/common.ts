// Shared helpers for the indicator kernels: argument checks, NaN-filled arrays and small formulas.

/**
 * Throws a RangeError unless `period` is a whole number >= 1 (and small enough to index arrays).
 *
 * @example
 * ```ts
 * checkPeriod("sma", 20); // fine
 * checkPeriod("sma", 0); // throws RangeError
 * ```
 */
export function checkPeriod(name: string, period: number): void {
  if (!Number.isInteger(period) || period < 1 || period > 0x3fffffff) {
    throw new RangeError(`${name}: period must be a whole number >= 1, got ${period}.`);
  }
}

/** Throws a RangeError unless every column has the length of the first one; returns that length. */
export function checkLengths(name: string, ...cols: ArrayLike<number>[]): number {
  const n = cols[0].length;
  for (let c = 1; c < cols.length; c++) {
    if (cols[c].length !== n) {
      throw new RangeError(`${name}: input columns differ in length (${n} vs ${cols[c].length}).`);
    }
  }
  return n;
}

/** A Float64Array of length `n` filled with NaN (the "no value yet" marker of every kernel). */
export function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

/**
 * True range of one candle given the previous close: max(high - low, |high - prevClose|,
 * |low - prevClose|). Math.max is exact, so the argument order does not affect the bits.
 */
export function trueRange(high: number, low: number, prevClose: number): number {
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}
