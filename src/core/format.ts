// Numbers for people: significant digits without float noise, shared by every reason sentence.

/** Powers of ten that are exact doubles (10^0 … 10^22). */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `n` rounded to `digits` significant digits, exactly `Number(n.toPrecision(digits))`, computed
 * with float arithmetic where that is provably the same:
 * - `p = |n| × 10^k` (k puts `digits` digits before the point) is one correctly rounded
 *   operation on exact operands, so it is within half an ulp of the true decimal shift;
 * - unless `p` is that close to a .5 boundary, rounding `p` to an integer `m` rounds the true
 *   value the same way, and `m / 10^k` (again one exact-operand operation) is the double nearest
 *   to the decimal toPrecision writes, which is what `Number()` of that decimal gives.
 * Near a tie, for `digits` above 15 and for shifts beyond 10^±22 it asks toPrecision itself.
 *
 * @example
 * ```ts
 * roundSignificant(0.1 + 0.2, 10); // 0.3
 * ```
 */
export function roundSignificant(n: number, digits: number): number {
  const a = Math.abs(n);
  if (!(a > 0 && a < Infinity) || digits > 15) return Number(n.toPrecision(digits));
  let k = digits - 1 - decimalExponent(a);
  let p = shift(a, k);
  // the exponent can be one off next to a power of ten: bring p into [10^(digits-1), 10^digits)
  if (p >= POW10[digits]) p = shift(a, --k);
  else if (p < POW10[digits - 1]) p = shift(a, ++k);
  const whole = Math.floor(p);
  const frac = p - whole; // exact for p < 2^52
  if (p !== p || Math.abs(frac - 0.5) <= p * 1e-15) return Number(n.toPrecision(digits));
  const m = frac < 0.5 ? whole : whole + 1;
  const r = k >= 0 ? m / POW10[k] : m * POW10[-k];
  return n < 0 ? -r : r;
}

/**
 * `floor(log10(a))` for finite `a > 0`, possibly one off next to a power of ten. Found by
 * comparing with powers of ten: three times faster than `Math.log10` for everyday numbers.
 */
function decimalExponent(a: number): number {
  let e = 0;
  if (a >= 1) {
    while (e < 22 && a >= POW10[e + 1]) e++;
    return e < 22 ? e : Math.floor(Math.log10(a));
  }
  while (e < 22 && a * POW10[e] < 1) e++; // a × 10^e reaches 1: the exponent is -e
  return e < 22 ? -e : Math.floor(Math.log10(a));
}

/** `a × 10^k` in one operation on exact operands; NaN when 10^|k| is not an exact double. */
function shift(a: number, k: number): number {
  if (k > 22 || k < -22) return NaN;
  return k >= 0 ? a * POW10[k] : a / POW10[-k];
}

/**
 * `n` with at most `digits` significant digits and no float noise: 0.1 + 0.2 → "0.3".
 * Exactly `String(Number(n.toPrecision(digits)))`, about twice as fast (see
 * {@link roundSignificant}); reasons format several numbers per decision.
 */
export function fmtNum(n: number, digits = 10): string {
  if (!Number.isFinite(n)) return String(n);
  return String(roundSignificant(n, digits));
}

/** Formats seconds as "1h02m", "3m05s" or "12s". */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "--";
  const s = Math.round(sec);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}
