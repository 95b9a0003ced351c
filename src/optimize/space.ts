// Search spaces: dimensions read from a strategy's zod parameter schema, narrowed or fixed by the caller.

import { ConfigError } from "../core/errors.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import type { Rng } from "../data/rng.ts";

/** A value a choice dimension can take. */
export type ChoiceValue = string | number | boolean;

/**
 * One searched parameter. Numbers live on a grid of `step` from `low` (ints always; floats when
 * `step` is set, else rounded to 5 significant digits of the range); `log` samples ln(x) evenly.
 */
export type Dimension =
  | { name: string; kind: "int"; low: number; high: number; step: number; log: boolean }
  | { name: string; kind: "float"; low: number; high: number; step: number | null; log: boolean }
  | { name: string; kind: "choice"; values: ChoiceValue[] };

/** What is searched, what is held, and which parameters stay at their defaults. */
export interface SearchSpace {
  dims: Dimension[];
  /** Values the caller fixed; every trial passes them. */
  fixed: Record<string, unknown>;
  /** Parameters left to the schema's default (`direction`, unbounded numbers, arrays, ...). */
  defaults: string[];
}

/** How the caller narrows one parameter: a sub-range, a step, log sampling, or a value list. */
export interface DimensionOverride {
  low?: number;
  high?: number;
  step?: number;
  log?: boolean;
  /** Search exactly these values (numbers of a numeric parameter, or a subset of an enum). */
  values?: ChoiceValue[];
}

/** Options of {@link searchSpace}. */
export interface SpaceOptions {
  /** Narrowed ranges by parameter name; naming `direction` here puts it in the search. */
  space?: Record<string, DimensionOverride>;
  /** Parameters held at these values (excluded from the search). */
  fixed?: Record<string, unknown>;
}

// deno-lint-ignore no-explicit-any
type Zod = any;
const WRAPPERS = new Set(["default", "optional", "nullable", "prefault", "readonly", "catch"]);

interface SchemaInfo {
  kind: "int" | "float" | "choice" | "other";
  low: number;
  high: number;
  values: ChoiceValue[];
}

/** What the schema of one parameter allows (unwrapping default/optional/describe). */
function describeSchema(schema: Zod): SchemaInfo {
  let s = schema;
  while (WRAPPERS.has(s?._zod?.def?.type)) s = s._zod.def.innerType;
  const type = s?._zod?.def?.type;
  if (type === "boolean") return { kind: "choice", low: NaN, high: NaN, values: [false, true] };
  if (type === "enum") {
    return { kind: "choice", low: NaN, high: NaN, values: [...s.options] as ChoiceValue[] };
  }
  if (type !== "number") return { kind: "other", low: NaN, high: NaN, values: [] };
  const isInt = Boolean(s.isInt);
  let low = Number(s.minValue ?? -Infinity);
  let high = Number(s.maxValue ?? Infinity);
  const bounded = (x: number) => Number.isFinite(x) && Math.abs(x) < Number.MAX_SAFE_INTEGER;
  if (!bounded(low) || !bounded(high)) {
    return { kind: "other", low: NaN, high: NaN, values: [] };
  }
  for (const c of s._zod.def.checks ?? []) {
    const d = c._zod?.def;
    if (d?.inclusive !== false) continue;
    const nudge = isInt ? 1 : floatQuantum(low, high);
    if (d.check === "greater_than" && d.value === low) low += nudge;
    if (d.check === "less_than" && d.value === high) high -= nudge;
  }
  if (isInt) (low = Math.ceil(low), high = Math.floor(high));
  return { kind: isInt ? "int" : "float", low, high, values: [] };
}

/** The rounding quantum of a float range without a step: 5 significant digits of its width. */
export function floatQuantum(low: number, high: number): number {
  const w = high - low;
  return w > 0 ? 10 ** (Math.floor(Math.log10(w)) - 4) : 1e-9;
}

/**
 * Builds the search space of a strategy from its zod schema: bounded numbers become int or float
 * ranges, enums and booleans become choices. `direction`, parameters the caller fixes and those
 * without a finite range stay out (at their default). Throws ConfigError on an unknown name or an
 * override outside the schema's range.
 *
 * @example
 * ```ts
 * const space = searchSpace(await getStrategy("ema_cross"), {
 *   space: { slow_period: { low: 20, high: 200, log: true } },
 * });
 * space.dims.map((d) => d.name); // ["fast_period", "slow_period"]
 * ```
 */
export function searchSpace(def: StrategyDefinition, options: SpaceOptions = {}): SearchSpace {
  const shape = (def.params as Zod).shape as Record<string, Zod> | undefined;
  if (!shape) {
    throw new ConfigError(`Strategy "${def.name}" has no parameter object to optimise.`);
  }
  const overrides = options.space ?? {};
  const fixed = { ...options.fixed };
  for (const name of [...Object.keys(overrides), ...Object.keys(fixed)]) {
    if (!(name in shape)) {
      throw new ConfigError(
        `Strategy "${def.name}" has no parameter "${name}": its parameters are ${
          Object.keys(shape).join(", ")
        }.`,
      );
    }
  }
  const dims: Dimension[] = [];
  const defaults: string[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    if (name in fixed) continue;
    const o = overrides[name];
    if (name === "direction" && !o) {
      defaults.push(name);
      continue;
    }
    const info = describeSchema(schema);
    const dim = o ? narrow(def.name, name, info, o) : fromInfo(name, info);
    if (dim) dims.push(dim);
    else defaults.push(name);
  }
  if (dims.length === 0) {
    throw new ConfigError(
      `Nothing to optimise for strategy "${def.name}": every parameter is fixed or unbounded.`,
    );
  }
  return { dims, fixed, defaults };
}

function fromInfo(name: string, info: SchemaInfo): Dimension | undefined {
  if (info.kind === "choice") return { name, kind: "choice", values: info.values };
  if (info.kind === "int") {
    return info.high > info.low
      ? { name, kind: "int", low: info.low, high: info.high, step: 1, log: false }
      : undefined;
  }
  if (info.kind === "float" && info.high > info.low) {
    return { name, kind: "float", low: info.low, high: info.high, step: null, log: false };
  }
  return undefined;
}

function narrow(
  strategy: string,
  name: string,
  info: SchemaInfo,
  o: DimensionOverride,
): Dimension {
  const bad = (why: string): never => {
    throw new ConfigError(`Search range for "${name}" of strategy "${strategy}": ${why}.`);
  };
  if (o.values) {
    if (o.values.length === 0) bad("values is empty");
    if (info.kind === "choice") {
      const unknown = o.values.filter((v) => !info.values.includes(v));
      if (unknown.length) bad(`${JSON.stringify(unknown)} not in ${JSON.stringify(info.values)}`);
    } else if (info.kind === "int" || info.kind === "float") {
      for (const v of o.values) {
        if (typeof v !== "number" || v < info.low || v > info.high) {
          bad(`value ${JSON.stringify(v)} is outside ${info.low}..${info.high}`);
        }
      }
    }
    return { name, kind: "choice", values: [...new Set(o.values)] };
  }
  if (info.kind === "choice") return bad(`it is a choice; give "values", not a range`);
  const schemaLow = info.kind === "other" ? -Infinity : info.low;
  const schemaHigh = info.kind === "other" ? Infinity : info.high;
  const low = o.low ?? schemaLow;
  const high = o.high ?? schemaHigh;
  if (!Number.isFinite(low) || !Number.isFinite(high)) bad("give both low and high");
  if (low < schemaLow || high > schemaHigh) {
    bad(`${low}..${high} is outside the allowed ${schemaLow}..${schemaHigh}`);
  }
  if (!(high > low)) bad(`low ${low} must be below high ${high}`);
  if (o.step !== undefined && !(o.step > 0)) bad(`step ${o.step} must be above 0`);
  const isInt = info.kind === "int";
  const step = o.step ?? (isInt ? 1 : null);
  if (isInt && (!Number.isInteger(step) || !Number.isInteger(low) || !Number.isInteger(high))) {
    bad("an integer parameter needs whole low, high and step");
  }
  const log = o.log ?? false;
  if (log && low - (step ?? 0) / 2 <= 0) bad("log sampling needs low above half a step from 0");
  return isInt
    ? { name, kind: "int", low, high, step: step!, log }
    : { name, kind: "float", low, high, step, log };
}

/** Number of distinct values of a dimension (Infinity for a float without a step). */
export function cardinality(d: Dimension): number {
  if (d.kind === "choice") return d.values.length;
  if (d.step === null) return Infinity;
  return Math.floor((d.high - d.low) / d.step + 1e-9) + 1;
}

/** Number of distinct points in the space (Infinity with an unstepped float). */
export function spaceSize(space: SearchSpace): number {
  return space.dims.reduce((n, d) => n * cardinality(d), 1);
}

/** Snaps a number onto a numeric dimension's grid (or rounding), inside its bounds. */
export function snap(d: Exclude<Dimension, { kind: "choice" }>, x: number): number {
  if (d.step !== null) {
    const k = Math.min(cardinality(d) - 1, Math.max(0, Math.round((x - d.low) / d.step)));
    return clean(d.low + k * d.step);
  }
  const q = floatQuantum(d.low, d.high);
  const v = d.log ? Number(x.toPrecision(5)) : clean(Math.round(x / q) * q);
  return Math.min(d.high, Math.max(d.low, v));
}

/** Removes binary noise such as 0.30000000000000004. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/** A uniform draw of one dimension (log-uniform when `log`). */
export function drawUniform(d: Dimension, rng: Rng): ChoiceValue {
  if (d.kind === "choice") return d.values[rng.int(0, d.values.length - 1)];
  if (d.step !== null && !d.log) return clean(d.low + d.step * rng.int(0, cardinality(d) - 1));
  const half = (d.step ?? 0) / 2;
  const lo = d.log ? Math.log(d.low - half) : d.low - half;
  const hi = d.log ? Math.log(d.high + half) : d.high + half;
  const y = lo + (hi - lo) * rng.next();
  return snap(d, d.log ? Math.exp(y) : y);
}

/** The sampled part of a parameter set as a canonical string (dedup key). */
export function pointKey(space: SearchSpace, params: Record<string, unknown>): string {
  return JSON.stringify(space.dims.map((d) => params[d.name] ?? null));
}

/**
 * Grid values of one dimension: every choice; for numbers `steps` evenly spaced points (in ln x
 * with `log`), snapped and deduplicated, or every value when there are no more than `steps`.
 */
export function gridValues(d: Dimension, steps: number): ChoiceValue[] {
  if (d.kind === "choice") return [...d.values];
  const n = cardinality(d);
  if (n <= steps) return Array.from({ length: n }, (_, k) => clean(d.low + k * d.step!));
  if (steps < 2) return [snap(d, d.log ? Math.sqrt(d.low * d.high) : (d.low + d.high) / 2)];
  const lo = d.log ? Math.log(d.low) : d.low;
  const hi = d.log ? Math.log(d.high) : d.high;
  const out = new Set<number>();
  for (let k = 0; k < steps; k++) {
    const y = lo + ((hi - lo) * k) / (steps - 1);
    out.add(snap(d, d.log ? Math.exp(y) : y));
  }
  return [...out];
}

/** The overrides that rebuild `space` from its strategy's schema (to resume a stored study). */
export function spaceOverrides(space: SearchSpace): Record<string, DimensionOverride> {
  return Object.fromEntries(space.dims.map((d) => [
    d.name,
    d.kind === "choice"
      ? { values: d.values }
      : { low: d.low, high: d.high, log: d.log, ...(d.step !== null ? { step: d.step } : {}) },
  ]));
}
