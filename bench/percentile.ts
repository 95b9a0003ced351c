// The benches' percentile: nearest rank over a copy (the samples stay as they are).

/** The `p` quantile of `xs` by nearest rank (p 0.99: the value 99 % of samples are at or under). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
