// Finds the name a person probably meant: "did you mean" suggestions for misspelt keys.

/**
 * The candidate closest to `word` by edit distance, case and "_" ignored, when it is close enough
 * to be a likely misspelling (at most 2 edits, more for long words); else undefined.
 *
 * @example
 * ```ts
 * closestName("virtual_ballance", ["bot_id", "virtual_balance"]); // "virtual_balance"
 * ```
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replaceAll("_", "");
  const w = norm(word);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(w.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
