// Flags shared by `deno task optimize` and `deno task walkforward`, and the study options they give.

import { ConfigError } from "../core/errors.ts";
import { type ObjectiveName, OBJECTIVES } from "../optimize/objective.ts";
import type { OptimizeOptions } from "../optimize/optimize.ts";
import type { SamplerKind } from "../optimize/samplers.ts";
import { parseSpaceText } from "../optimize/space_text.ts";
import { type Flags, optional, parseCount, required } from "./args.ts";
import { parseKeyValues } from "./backtest_support.ts";

const CMD = "deno task optimize";

/** Flags of a new optimisation (shared by optimize and walkforward). */
export const RUN_FLAGS = {
  strategy: { type: "string" },
  exchange: { type: "string" },
  symbol: { type: "string" },
  timeframe: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  sampler: { type: "string" },
  trials: { type: "string" },
  objective: { type: "string" },
  lambda: { type: "string" },
  "min-trades": { type: "string" },
  "max-drawdown": { type: "string" },
  seed: { type: "string" },
  workers: { type: "string" },
  batch: { type: "string" },
  prune: { type: "boolean" },
  steps: { type: "string" },
  space: { type: "string" },
  fix: { type: "string" },
  cash: { type: "string" },
  fee: { type: "string" },
  "slippage-bps": { type: "string" },
  "size-mode": { type: "string" },
  size: { type: "string" },
  leverage: { type: "string" },
  risk: { type: "string" },
  study: { type: "string" },
  resume: { type: "boolean" },
  json: { type: "boolean" },
  db: { type: "string" },
} as const;

/** A number flag or undefined. */
export function num(f: Flags, name: string): number | undefined {
  const v = optional(f, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`--${name} "${v}" is not a number.`);
  return n;
}

/** Options of a new study from the flags. */
export function newStudyOptions(
  f: Flags,
): Omit<OptimizeOptions, "candles" | "symbol" | "timeframe"> {
  const sampler = optional(f, "sampler") ?? "tpe";
  if (!["tpe", "random", "grid"].includes(sampler)) {
    throw new ConfigError(`--sampler "${sampler}" must be tpe, random or grid.`);
  }
  const objective = optional(f, "objective") ?? "sharpe";
  if (!OBJECTIVES.includes(objective as ObjectiveName)) {
    throw new ConfigError(`--objective "${objective}" must be one of ${OBJECTIVES.join(", ")}.`);
  }
  const sizeMode = optional(f, "size-mode");
  if (sizeMode !== undefined && sizeMode !== "equity" && sizeMode !== "risk") {
    throw new ConfigError(`--size-mode "${sizeMode}" must be "equity" or "risk".`);
  }
  const seedText = optional(f, "seed") ?? "1";
  return {
    strategy: required(f, "strategy", CMD),
    sampler: sampler as SamplerKind,
    trials: parseCount(optional(f, "trials") ?? "200", "trials"),
    objective: objective as ObjectiveName,
    lambda: num(f, "lambda"),
    constraints: { minTrades: num(f, "min-trades"), maxDrawdown: num(f, "max-drawdown") },
    seed: /^-?\d+$/.test(seedText) ? Number(seedText) : seedText,
    batch: optional(f, "batch") ? parseCount(optional(f, "batch")!, "batch") : undefined,
    prune: Boolean(f.prune),
    gridSteps: optional(f, "steps") ? parseCount(optional(f, "steps")!, "steps") : undefined,
    space: parseSpaceText(optional(f, "space") ?? ""),
    fixed: parseKeyValues(optional(f, "fix") ?? "", "--fix"),
    backtest: {
      cash: num(f, "cash"),
      fee: num(f, "fee"),
      slippageBps: num(f, "slippage-bps"),
      sizeMode: sizeMode as "equity" | "risk" | undefined,
      size: num(f, "size"),
      leverage: num(f, "leverage"),
      risk: optional(f, "risk") ? parseKeyValues(optional(f, "risk")!, "--risk") : undefined,
    },
  };
}

/** --workers: a whole number, 0 meaning in this thread. */
export function workerCount(v: string): number {
  if (!/^\d+$/.test(v)) {
    throw new ConfigError(`--workers "${v}" must be a whole number (0 = no workers).`);
  }
  return Number(v);
}
