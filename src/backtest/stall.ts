// A run that stops trading says so: how long it went without a trade, and what was refused.

import { isoUtc } from "../core/candles.ts";
import type { BacktestResult } from "./run.ts";

/** Share of the run without a trade from which a warning is given. */
const QUIET_SHARE = 0.25;

/**
 * A warning when the run made no trade (entry or exit) in the last quarter or more of its
 * candles while its strategy kept signalling, naming the refusals that stopped it, e.g. "No
 * trade in the last 83 % of the run (since 2024-03-02T10:41:00.000Z): 8,392 signals were
 * refused after it, most as already_in_position (8,392)". Undefined when it traded throughout.
 */
export function stallWarning(
  r: Pick<BacktestResult, "first_ts" | "last_ts" | "trades" | "open_position" | "decisions">,
): string | undefined {
  if (r.first_ts === null || r.last_ts === null || r.last_ts <= r.first_ts) return undefined;
  let last = r.first_ts;
  for (const t of r.trades) last = Math.max(last, t.exit_ts);
  if (r.open_position) last = Math.max(last, r.open_position.entryTs);
  const quiet = (r.last_ts - last) / (r.last_ts - r.first_ts);
  if (quiet < QUIET_SHARE) return undefined;
  const codes = new Map<string, number>();
  let refused = 0;
  for (const d of r.decisions) {
    if (d.ts <= last || d.outcome === "order") continue;
    refused++;
    codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
  }
  if (refused === 0) return undefined;
  const top = [...codes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
  const n = (x: number) => x.toLocaleString("en-US");
  return `No trade in the last ${Math.round(quiet * 100)} % of the run (since ${isoUtc(last)}): ` +
    `${n(refused)} signal${
      refused === 1 ? " was" : "s were"
    } refused or cancelled after it, most as ` +
    top.map(([code, count]) => `${code} (${n(count)})`).join(", ") + ".";
}
