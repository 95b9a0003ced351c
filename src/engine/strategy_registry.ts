// Finds the strategies in strategies/ (one file each) at start-up and looks them up by name.

import { closestName } from "../core/closest_name.ts";
import { ConfigError } from "../core/errors.ts";
import type { StrategyDefinition } from "../core/strategy.ts";

/** The strategies/ folder of this checkout. */
export const STRATEGIES_DIR = new URL("../../strategies/", import.meta.url);

let cache: Map<string, StrategyDefinition> | undefined;

/**
 * Loads every `strategies/*.ts` (not tests, not files starting with "_") and returns them by name.
 * A file's default export must be a strategy whose name is the file's name.
 *
 * @example
 * ```ts
 * const all = await loadStrategies();
 * console.log([...all.keys()]); // ["dca", "ema_cross", ...]
 * ```
 */
export async function loadStrategies(
  dir: URL = STRATEGIES_DIR,
): Promise<Map<string, StrategyDefinition>> {
  if (cache && dir.href === STRATEGIES_DIR.href) return cache;
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (
      e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_") && !e.name.endsWith("_test.ts")
    ) {
      names.push(e.name);
    }
  }
  names.sort();
  const out = new Map<string, StrategyDefinition>();
  for (const file of names) {
    const mod = await import(new URL(file, dir).href);
    const def = mod.default as StrategyDefinition | undefined;
    const expected = file.replace(/\.ts$/, "");
    if (
      !def || typeof def.create !== "function" || typeof def.warmup !== "function" || !def.params
    ) {
      throw new ConfigError(
        `strategies/${file} must default-export a strategy (defineStrategy({...})); it does not.`,
      );
    }
    if (def.name !== expected) {
      throw new ConfigError(
        `strategies/${file} exports a strategy named "${def.name}"; name it "${expected}".`,
      );
    }
    out.set(def.name, def);
  }
  checkAliases(out);
  if (dir.href === STRATEGIES_DIR.href) cache = out;
  return out;
}

/** The strategy called `name`, or a ConfigError listing the ones there are. */
export async function getStrategy(name: string): Promise<StrategyDefinition> {
  const all = await loadStrategies();
  const def = findStrategy(all, name);
  if (!def) throw new ConfigError(`${unknownStrategy(all, name)}.`);
  return def;
}

/**
 * The strategy `name` stands for among `all`: its name or one of its aliases, in any case
 * ("EMA_Crossover" finds ema_cross); undefined when none.
 *
 * @example
 * ```ts
 * findStrategy(await loadStrategies(), "EMA_Crossover")?.name; // "ema_cross"
 * ```
 */
export function findStrategy(
  all: ReadonlyMap<string, StrategyDefinition>,
  name: string,
): StrategyDefinition | undefined {
  const exact = all.get(name);
  if (exact) return exact;
  const key = name.trim().toLowerCase();
  for (const def of all.values()) {
    if (namesOf(def).some((n) => n.toLowerCase() === key)) return def;
  }
  return undefined;
}

/**
 * Says that no strategy is called `name`: the closest name or alias when one is near, then the
 * strategies there are (no final full stop, so callers can append to it).
 */
export function unknownStrategy(all: ReadonlyMap<string, StrategyDefinition>, name: string) {
  const near = closestName(name, [...all.values()].flatMap(namesOf));
  const nearDef = near === undefined ? undefined : findStrategy(all, near);
  const hint = nearDef
    ? `did you mean "${nearDef.name}"${near !== nearDef.name ? ` (alias "${near}")` : ""}? `
    : "";
  return `Strategy "${name}" does not exist: ${hint}use one of ${[...all.keys()].join(", ")}`;
}

function namesOf(def: StrategyDefinition): string[] {
  return [def.name, ...(def.aliases ?? [])];
}

/** Two strategies must never answer to one name (case aside). */
function checkAliases(all: ReadonlyMap<string, StrategyDefinition>): void {
  const owner = new Map<string, string>();
  for (const def of all.values()) {
    for (const n of namesOf(def)) {
      const key = n.toLowerCase();
      const other = owner.get(key);
      if (other !== undefined && other !== def.name) {
        throw new ConfigError(
          `Strategies "${other}" and "${def.name}" both answer to "${n}": ` +
            `remove it from the aliases of one of them.`,
        );
      }
      owner.set(key, def.name);
    }
  }
}

/** The outcome of checking strategy parameters: the parsed values, or what is wrong. */
export type ParamCheck =
  | { ok: true; params: Record<string, unknown> }
  | {
    ok: false;
    /** Keys the strategy does not have (when any, the values were not checked further). */
    unknown: string[];
    /** Invalid values: a dotted field path ("" for the whole object) and zod's message. */
    issues: { path: string; message: string }[];
  };

/** The names of a strategy's parameters, or undefined when its schema is not a plain object. */
export function paramNames(def: StrategyDefinition): string[] | undefined {
  const shape = (def.params as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : undefined;
}

/**
 * Checks strategy parameters against the strategy's zod schema (defaults filled in) without
 * throwing, so a caller can report each bad field under its own path (bot configs do).
 */
export function checkParams(def: StrategyDefinition, raw: Record<string, unknown>): ParamCheck {
  const names = paramNames(def);
  if (names) {
    const unknown = Object.keys(raw).filter((k) => !names.includes(k));
    if (unknown.length) return { ok: false, unknown, issues: [] };
  }
  const res = def.params.safeParse(raw);
  if (res.success) return { ok: true, params: res.data as Record<string, unknown> };
  const issues = res.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  return { ok: false, unknown: [], issues };
}

/**
 * Validates strategy parameters against the strategy's zod schema (defaults filled in), with an
 * error naming each bad field.
 */
export function parseParams(
  def: StrategyDefinition,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const res = checkParams(def, raw);
  if (res.ok) return res.params;
  if (res.unknown.length) {
    throw new ConfigError(
      `Strategy "${def.name}" has no parameter ${res.unknown.map((k) => `"${k}"`).join(", ")}: ` +
        `its parameters are ${paramNames(def)?.join(", ")}.`,
    );
  }
  const issues = res.issues.map((i) => `${i.path || "(parameters)"}: ${i.message}`);
  throw new ConfigError(
    `Parameters for strategy "${def.name}" are invalid: ${issues.join("; ")}.`,
  );
}
