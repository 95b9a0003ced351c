// Objectives (what a trial maximises) and constraints (what makes a trial unrankable).

import type { Metrics } from "../backtest/metrics.ts";
import { ConfigError } from "../core/errors.ts";

/** Built-in objectives, all maximised. */
export type ObjectiveName = "sharpe" | "sortino" | "calmar" | "return_dd" | "profit_factor";

/** A built-in objective, or a function of the metrics (null or non-finite = undefined). */
export type Objective = ObjectiveName | ((metrics: Metrics) => number | null);

/** The objective as stored with a study. A function is stored as "custom" with its label. */
export interface ObjectiveSpec {
  name: ObjectiveName | "custom";
  /** return_dd's drawdown weight. */
  lambda?: number;
  /** A custom objective's label (to check a resumed study uses the same one). */
  label?: string;
}

/** Every built-in objective. */
export const OBJECTIVES: readonly ObjectiveName[] = [
  "sharpe",
  "sortino",
  "calmar",
  "return_dd",
  "profit_factor",
];

/**
 * Limits a complete trial must meet to be ranked; a trial that breaks one scores -Infinity and
 * keeps the reason. Checked on all the data only (not at pruning checkpoints).
 */
export interface Constraints {
  /** Fewest closed trades. */
  minTrades?: number;
  /** Largest max drawdown, as a fraction (0.3 = 30 %). */
  maxDrawdown?: number;
  /** Any other rule: return why the metrics are unacceptable, or null. Not stored. */
  check?: (metrics: Metrics) => string | null | undefined;
}

/** Resolves an objective to its stored spec and its function (null = undefined objective). */
export function resolveObjective(
  objective: Objective,
  options: { lambda?: number; label?: string } = {},
): { spec: ObjectiveSpec; fn: (m: Metrics) => number | null } {
  if (typeof objective === "function") {
    const fn = (m: Metrics) => {
      const v = objective(m);
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    };
    return {
      spec: { name: "custom", label: options.label ?? (objective.name || "anonymous") },
      fn,
    };
  }
  const lambda = options.lambda ?? 1;
  switch (objective) {
    case "sharpe":
    case "sortino":
    case "calmar":
    case "profit_factor":
      return { spec: { name: objective }, fn: (m) => m[objective] };
    case "return_dd":
      if (!(Number.isFinite(lambda) && lambda >= 0)) {
        throw new ConfigError(`The return_dd lambda ${lambda} must be a number of at least 0.`);
      }
      return {
        spec: { name: "return_dd", lambda },
        fn: (m) => m.total_return - lambda * m.max_drawdown,
      };
    default:
      throw new ConfigError(
        `Objective "${objective}" does not exist: use one of ${
          OBJECTIVES.join(", ")
        }, or a function.`,
      );
  }
}

/** The stored, JSON form of constraints (the `check` function leaves a marker). */
export function constraintsSpec(c: Constraints = {}): Record<string, unknown> {
  for (const [k, v] of [["minTrades", c.minTrades], ["maxDrawdown", c.maxDrawdown]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new ConfigError(`Constraint ${k} ${v} must be a number of at least 0.`);
    }
  }
  const out: Record<string, unknown> = {};
  if (c.minTrades !== undefined) out.minTrades = c.minTrades;
  if (c.maxDrawdown !== undefined) out.maxDrawdown = c.maxDrawdown;
  if (c.check) out.check = "custom";
  return out;
}

/** Why the metrics break a constraint, or null when they meet them all. */
export function violation(c: Constraints, m: Metrics): string | null {
  if (c.minTrades !== undefined && m.trades < c.minTrades) {
    return `constraint: ${m.trades} trades, fewer than minTrades ${c.minTrades}`;
  }
  if (c.maxDrawdown !== undefined && m.max_drawdown > c.maxDrawdown) {
    return `constraint: max drawdown ${round(m.max_drawdown)} above maxDrawdown ${c.maxDrawdown}`;
  }
  const why = c.check?.(m);
  return why ? `constraint: ${why}` : null;
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
