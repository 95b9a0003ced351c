// Volatility ranking: scanner rows as horizontal bars, highest first.

import * as Plot from "@observablehq/plot";
import { ConfigError } from "../../core/errors.ts";
import { num } from "./labels.ts";
import { type ChartOptions, composeChart, type SvgChart } from "./svg_chart.ts";

/** A scanner row: a symbol, maybe its timeframe, a score and any other numeric fields. */
export interface RankingRow {
  symbol: string;
  timeframe?: string;
  score: number;
}

/** Options for {@link volatilityRanking}. */
export interface VolatilityRankingOptions extends ChartOptions {
  /** The numeric field bars show and rank by ["score"]. */
  metric?: string;
  /** How many rows to draw, best first [20]. */
  top?: number;
}

interface Ranked {
  label: string;
  value: number;
  title: string;
}

/**
 * Rows ranked by `metric` (default "score") as horizontal bars, highest at the top, each labelled
 * with its value; the tooltip lists every numeric field of the row. The height grows with the
 * number of rows unless given.
 *
 * @example
 * ```ts
 * const rows = await scan({ exchange: "okx", timeframe: "1h" });
 * volatilityRanking(rows, { metric: "atr_pct", top: 15 });
 * ```
 */
export function volatilityRanking<T extends RankingRow>(
  rows: readonly T[],
  options: VolatilityRankingOptions = {},
): SvgChart {
  const metric = options.metric ?? "score";
  const top = Math.max(1, options.top ?? 20);
  const valued = rows
    .map((row) => ({ row, value: Number((row as unknown as Record<string, unknown>)[metric]) }))
    .filter((r) => Number.isFinite(r.value));
  if (!valued.length) {
    throw new ConfigError(`No row has a numeric "${metric}": pick another metric.`);
  }
  valued.sort((a, b) => b.value - a.value);
  const seen = new Map<string, number>();
  const ranked: Ranked[] = valued.slice(0, top).map(({ row, value }, i) => {
    let label = row.timeframe ? `${row.symbol} ${row.timeframe}` : row.symbol;
    const dup = seen.get(label) ?? 0; // Plot's y is a band per label: keep labels unique
    seen.set(label, dup + 1);
    if (dup) label = `${label} (${dup + 1})`;
    const fields = Object.entries(row)
      .filter(([, v]) => typeof v === "number" && Number.isFinite(v))
      .map(([k, v]) => `${k}: ${num(v as number)}`);
    return { label, value, title: [`#${i + 1} ${label}`, ...fields].join("\n") };
  });
  const labelWidth = Math.max(...ranked.map((r) => String(num(r.value, 4)).length)) * 6.4;
  return composeChart({
    width: options.width ?? 640,
    height: options.height ?? 92 + 40 + 22 * ranked.length,
    title: options.title ?? `Volatility ranking by ${metric}`,
    subtitle: `Top ${ranked.length} of ${valued.length}`,
    panels: [{
      plot: {
        x: { label: metric, grid: true, nice: true },
        y: { label: null, domain: ranked.map((r) => r.label) },
        marginRight: Math.ceil(labelWidth + 16),
        marginTop: 10,
        marginBottom: 36,
        marks: [
          Plot.barX(ranked, {
            x: "value",
            y: "label",
            fill: "#4269d0",
            title: "title",
            className: "rank-bar",
          }),
          Plot.text(ranked, {
            x: "value",
            y: "label",
            text: (r: Ranked) => num(r.value, 4),
            textAnchor: "start",
            dx: 4,
            className: "rank-value",
          }),
          Plot.ruleX([0], { stroke: "#8c959f" }),
        ],
      },
    }],
  });
}
