// How a run's decisions ended, counted by outcome and code: the summary that says why a run
// traded as it did (or stopped trading), shared by backtests, stored runs and the CLI; and the
// decision record itself.

import type { Signal } from "./trading.ts";

/** One recorded decision: a signal and what became of it. */
export interface Decision {
  /** Close time of the candle the decision was made on (UTC ms). */
  ts: number;
  symbol: string;
  signal: Signal;
  /** "cancelled": a resting entry was withdrawn (expired, or an exit signal while flat). */
  outcome: "order" | "refused" | "cancelled";
  /** Risk rule that refused, or the plan's action. */
  code: string;
  reason: string;
  /** Client ids of the orders sent. */
  orders: string[];
}

/**
 * How many decisions (or orders cancelled when they came to fill) ended one way: `outcome` is
 * the decision's ("order", "refused", "cancelled") or "refused_at_fill" for an order the broker
 * refused when it came to fill; `code` the plan's action or the refusal's code.
 */
export interface DecisionCount {
  outcome: string;
  code: string;
  count: number;
}

/** Outcome order of a summary: orders first, then refusals, cancellations, failed fills. */
const OUTCOME_ORDER = ["order", "refused", "cancelled", "refused_at_fill"];

/** `counts` ordered by outcome, then most frequent first, then by code (a stable order). */
export function sortCounts(counts: DecisionCount[]): DecisionCount[] {
  const rank = (o: string) => {
    const i = OUTCOME_ORDER.indexOf(o);
    return i < 0 ? OUTCOME_ORDER.length : i;
  };
  return counts.sort((a, b) =>
    rank(a.outcome) - rank(b.outcome) || b.count - a.count ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

/**
 * Adds the orders the broker refused when they came to fill (`refused_at_fill` by code) to a
 * decision summary.
 */
export function withFillRefusals(
  summary: DecisionCount[],
  refusals: readonly { code: string }[],
): DecisionCount[] {
  if (refusals.length === 0) return summary;
  const counts = new Map<string, number>();
  for (const r of refusals) counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
  const rows = [...counts].map(([code, count]) => ({ outcome: "refused_at_fill", code, count }));
  return sortCounts([...summary, ...rows]);
}

/**
 * One line per row: `refused: already_in_position 8,392` (counts with thousands separators).
 */
export function formatDecisionSummary(summary: readonly DecisionCount[]): string[] {
  return summary.map((c) => `${c.outcome}: ${c.code} ${c.count.toLocaleString("en-US")}`);
}
