// Samplers: grid (exhaustive), random (seeded) and TPE, behind one batch-proposal interface.

import { ConfigError } from "../core/errors.ts";
import type { Rng } from "../data/rng.ts";
import {
  cardinality,
  type ChoiceValue,
  drawUniform,
  gridValues,
  pointKey,
  type SearchSpace,
  spaceSize,
} from "./space.ts";
import { batchRng, proposeTpe, type TpeOptions, type TpeSettings, tpeSettings } from "./tpe.ts";
import type { Observation } from "./types.ts";

/** Sampled parameter values by name. */
export type Point = Record<string, ChoiceValue>;

/** Sampler names. */
export type SamplerKind = "grid" | "random" | "tpe";

/** A sampler's settings as stored with a study (JSON). */
export type SamplerSpec =
  | { kind: "grid"; steps: Record<string, number> }
  | { kind: "random" }
  | ({ kind: "tpe" } & TpeSettings);

/**
 * Proposes parameter points in batches. `propose(history, start, count)` gives the points of
 * trials `start .. start + count − 1`, from the trials before `start` only, so a batch is the
 * same however it is later evaluated, and a resumed study re-proposes a half-done batch exactly.
 */
export interface Sampler {
  readonly spec: SamplerSpec;
  /** Most trials this sampler can propose (the grid size, or distinct points; else Infinity). */
  readonly limit: number;
  /** May return fewer than `count` points when the space is used up. */
  propose(history: readonly Observation[], start: number, count: number): Point[];
}

/** Options of {@link createSampler}. */
export interface SamplerOptions {
  /** Grid points per numeric dimension, one number for all or by name [5]. */
  steps?: number | Record<string, number>;
  tpe?: TpeOptions;
}

/**
 * Creates a sampler over `space` with a seed.
 *
 * @example
 * ```ts
 * const sampler = createSampler("tpe", space, 1);
 * const first = sampler.propose([], 0, 8); // 8 uniform points (TPE's start-up)
 * ```
 */
export function createSampler(
  kind: SamplerKind,
  space: SearchSpace,
  seed: number | string,
  options: SamplerOptions = {},
): Sampler {
  const size = spaceSize(space);
  if (kind === "grid") return gridSampler(space, options.steps ?? 5);
  const fallback = (rng: Rng, seen: Set<string>) => uniformUnseen(space, size, rng, seen);
  if (kind === "random") {
    return {
      spec: { kind: "random" },
      limit: size,
      propose(history, start, count) {
        const rng = batchRng(seed, kind, start);
        const seen = seenKeys(space, history);
        const out: Point[] = [];
        for (let i = 0; i < count; i++) {
          const p = fallback(rng, seen);
          if (!p) break;
          seen.add(pointKey(space, p));
          out.push(p);
        }
        return out;
      },
    };
  }
  if (kind === "tpe") {
    const settings = tpeSettings(options.tpe);
    if (!(settings.gamma > 0 && settings.gamma < 1)) {
      throw new ConfigError(`TPE gamma ${settings.gamma} must be between 0 and 1.`);
    }
    if (!(Number.isInteger(settings.candidates) && settings.candidates > 0)) {
      throw new ConfigError(
        `TPE candidates ${settings.candidates} must be a whole number above 0.`,
      );
    }
    return {
      spec: { kind: "tpe", ...settings },
      limit: size,
      propose: (history, start, count) =>
        proposeTpe(
          space,
          history,
          start,
          count,
          batchRng(seed, kind, start),
          settings,
          seenKeys(space, history),
          fallback,
        ),
    };
  }
  throw new ConfigError(`Sampler "${kind}" does not exist: use "tpe", "random" or "grid".`);
}

function seenKeys(space: SearchSpace, history: readonly Observation[]): Set<string> {
  return new Set(history.map((o) => pointKey(space, o.params)));
}

/** A uniform point not in `seen`; null when every point of a finite space was seen. */
function uniformUnseen(
  space: SearchSpace,
  size: number,
  rng: Rng,
  seen: Set<string>,
): Point | null {
  if (seen.size >= size) return null;
  for (let tries = 0; tries < 200; tries++) {
    const p: Point = {};
    for (const d of space.dims) p[d.name] = drawUniform(d, rng);
    if (!seen.has(pointKey(space, p))) return p;
  }
  if (size > 1_000_000) return null;
  // A nearly used-up finite space: pick uniformly among the points left.
  const left: Point[] = [];
  const values = space.dims.map((d) => gridValues(d, cardinality(d)));
  for (let i = 0; i < size; i++) {
    const p = pointAt(space, values, i);
    if (!seen.has(pointKey(space, p))) left.push(p);
  }
  return left.length ? left[rng.int(0, left.length - 1)] : null;
}

/** Point number `i` of the Cartesian product (the last dimension varies fastest). */
function pointAt(space: SearchSpace, values: ChoiceValue[][], i: number): Point {
  const picked: ChoiceValue[] = new Array(values.length);
  for (let k = values.length - 1; k >= 0; k--) {
    picked[k] = values[k][i % values[k].length];
    i = Math.floor(i / values[k].length);
  }
  return Object.fromEntries(space.dims.map((d, k) => [d.name, picked[k]]));
}

function gridSampler(space: SearchSpace, steps: number | Record<string, number>): Sampler {
  const per: Record<string, number> = {};
  for (const d of space.dims) {
    const s = typeof steps === "number" ? steps : steps[d.name] ?? 5;
    if (!(Number.isInteger(s) && s >= 1)) {
      throw new ConfigError(
        `Grid steps for "${d.name}" must be a whole number of at least 1; got ${s}.`,
      );
    }
    if (d.kind !== "choice") per[d.name] = s;
  }
  const values = space.dims.map((d) => gridValues(d, per[d.name] ?? 0));
  const size = values.reduce((n, v) => n * v.length, 1);
  return {
    spec: { kind: "grid", steps: per },
    limit: size,
    propose(_history, start, count) {
      const out: Point[] = [];
      for (let i = start; i < Math.min(size, start + count); i++) {
        out.push(pointAt(space, values, i));
      }
      return out;
    },
  };
}
