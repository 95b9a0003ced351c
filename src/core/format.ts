// Numbers for people: significant digits without float noise, shared by every reason sentence.

/**
 * `n` with at most `digits` significant digits and no float noise: 0.1 + 0.2 → "0.3".
 * Exactly `String(Number(n.toPrecision(digits)))`, with a shortcut when `String(n)` is already
 * that short (prices on a tick, round sizes): then rounding cannot change it.
 */
export function fmtNum(n: number, digits = 10): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(n);
  if (s.length <= digits && !s.includes("e")) return s; // at most `digits` characters: ≤ digits digits
  return String(Number(n.toPrecision(digits)));
}
