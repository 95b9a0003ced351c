// Human-readable rendering of backtest metrics: an aligned two-column table for the CLI.

import type { Metrics } from "./metrics_types.ts";

const NA = "n/a";

const UNITS: readonly [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** `s` without a minus sign on a zero ("-0.00" → "0.00"). */
function noNegativeZero(s: string): string {
  return /^-[0.]+(%?)$/.test(s) ? s.slice(1) : s;
}

function pct(x: number | null): string {
  return x === null ? NA : noNegativeZero(`${(x * 100).toFixed(2)}%`);
}

function ratio(x: number | null): string {
  return x === null ? NA : noNegativeZero(x.toFixed(2));
}

function money(x: number | null): string {
  if (x === null) return NA;
  const [int, frac] = noNegativeZero(x.toFixed(2)).split(".");
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${frac === undefined ? "" : `.${frac}`}`;
}

/**
 * A duration in its two largest units, dropping a zero second unit: "3d 4h", "3d", "2h 5m",
 * "45s". Under a second it is "0s" or milliseconds ("250ms").
 *
 * @example
 * ```ts
 * formatDuration(3 * 86_400_000 + 4 * 3_600_000); // "3d 4h"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return NA;
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs === 0) return "0s";
  if (abs < 1_000) return `${sign}${Math.round(abs)}ms`;
  const i = UNITS.findIndex(([, len]) => abs >= len);
  const [u1, len1] = UNITS[i];
  const first = Math.floor(abs / len1);
  let out = `${sign}${first}${u1}`;
  if (i + 1 < UNITS.length) {
    const [u2, len2] = UNITS[i + 1];
    const second = Math.floor((abs - first * len1) / len2);
    if (second > 0) out += ` ${second}${u2}`;
  }
  return out;
}

/** Labels padded to one width, values right-aligned to another. */
function column(rows: readonly [string, string][]): string[] {
  const lw = Math.max(...rows.map(([l]) => l.length));
  const vw = Math.max(...rows.map(([, v]) => v.length));
  return rows.map(([l, v]) => `${l.padEnd(lw)}  ${v.padStart(vw)}`);
}

/**
 * A compact, aligned table of the metrics for the CLI: performance and risk on the left,
 * trades on the right, exits by reason underneath. Percentages and money have 2 decimals
 * (money with thousands separators), durations read like "3d 4h", undefined metrics "n/a".
 *
 * @example
 * ```ts
 * console.log(formatMetrics(computeMetrics(input)));
 * // Initial equity  10,000.00   Trades             4
 * // Final equity    10,250.00   Long / short   3 / 1
 * // ...
 * ```
 */
export function formatMetrics(m: Metrics): string {
  const left = column([
    ["Initial equity", money(m.initial_equity)],
    ["Final equity", money(m.final_equity)],
    ["Total return", pct(m.total_return)],
    ["CAGR", pct(m.cagr)],
    ["Max drawdown", pct(m.max_drawdown)],
    ["Max DD duration", formatDuration(m.max_drawdown_duration_ms)],
    ["Sharpe", ratio(m.sharpe)],
    ["Sortino", ratio(m.sortino)],
    ["Calmar", ratio(m.calmar)],
    ["Exposure", pct(m.exposure)],
    ["Fees", money(m.fees)],
    ["Funding", money(m.funding)],
  ]);
  const right = column([
    ["Trades", String(m.trades)],
    ["Long / short", `${m.long_trades} / ${m.short_trades}`],
    ["Win rate", pct(m.win_rate)],
    ["Profit factor", ratio(m.profit_factor)],
    ["Expectancy", money(m.expectancy)],
    ["Avg win", money(m.avg_win)],
    ["Avg loss", money(m.avg_loss)],
    ["Best trade", money(m.best_trade)],
    ["Worst trade", money(m.worst_trade)],
    ["Win streak", String(m.longest_win_streak)],
    ["Loss streak", String(m.longest_loss_streak)],
  ]);
  const lines: string[] = [];
  const leftWidth = left[0].length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    lines.push(`${(left[i] ?? "").padEnd(leftWidth)}   ${right[i] ?? ""}`.trimEnd());
  }
  const exits = Object.entries(m.exits_by_reason).map(([r, c]) => `${r} ${c}`).join(", ");
  lines.push(`Exits  ${exits || "none"}`);
  return lines.join("\n");
}
