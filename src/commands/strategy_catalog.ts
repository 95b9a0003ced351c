// The strategies a form can offer: name, version, description and each parameter as an input.

import { z } from "zod";
import type { StrategyDefinition } from "../core/strategy.ts";

/** One strategy parameter as a form renders it. */
export interface StrategyParam {
  name: string;
  type: "integer" | "number" | "boolean" | "enum" | "string";
  /** The value taken when the parameter is left out (absent when there is none). */
  default?: unknown;
  /** Inclusive bounds of a number (absent when unbounded on that side). */
  min?: number;
  max?: number;
  /** The values an enum takes. */
  choices?: string[];
  description?: string;
  /** True when the parameter may be left unset and has no default (the strategy does without). */
  optional: boolean;
}

/** A strategy as the status page lists it. */
export interface StrategyInfo {
  name: string;
  version: string;
  description: string;
  params: StrategyParam[];
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/** The schema of a parameter without a `null` alternative (a nullable number is a number). */
function withoutNull(s: JsonSchema): JsonSchema {
  const alts = s.anyOf?.filter((a) => a.type !== "null");
  return alts?.length === 1 ? { ...alts[0], default: s.default, description: s.description } : s;
}

/** The form input of one parameter, or undefined when no plain input fits (arrays, objects). */
function paramOf(name: string, raw: JsonSchema, required: boolean): StrategyParam | undefined {
  const s = withoutNull(raw);
  let type: StrategyParam["type"];
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) type = "enum";
  else if (s.type === "integer" || s.type === "number" || s.type === "boolean") type = s.type;
  else if (s.type === "string") type = "string";
  else return undefined;
  const p: StrategyParam = { name, type, optional: !required && s.default === undefined };
  if (s.default !== undefined) p.default = s.default;
  if (typeof s.minimum === "number") p.min = s.minimum;
  if (typeof s.maximum === "number") p.max = s.maximum;
  if (type === "enum") p.choices = s.enum as string[];
  const description = raw.description ?? s.description;
  if (description !== undefined) p.description = description;
  return p;
}

/**
 * The parameters of a strategy as form inputs, in the schema's order (`direction` last), from
 * its zod schema: type, default, inclusive bounds, enum choices and description. Parameters no
 * plain input can hold (lists such as the signals strategy's `signals`) are left out: they keep
 * their default.
 *
 * @example
 * ```ts
 * strategyParams(await getStrategy("ema_cross"))[0];
 * // { name: "fast_period", type: "integer", optional: false, default: 10, min: 2, max: 200, ... }
 * ```
 */
export function strategyParams(def: StrategyDefinition): StrategyParam[] {
  const opts = { unrepresentable: "any" } as const;
  const input = z.toJSONSchema(def.params, { ...opts, io: "input" }) as JsonSchema;
  const output = z.toJSONSchema(def.params, { ...opts, io: "output" }) as JsonSchema;
  const required = new Set(output.required ?? []);
  const out: StrategyParam[] = [];
  for (const [name, schema] of Object.entries(input.properties ?? {})) {
    const p = paramOf(name, schema, required.has(name));
    if (p) out.push(p);
  }
  return out;
}

/** Every strategy of `all` with its parameters as form inputs, by name. */
export function strategyCatalog(all: ReadonlyMap<string, StrategyDefinition>): StrategyInfo[] {
  return [...all.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => ({
      name: d.name,
      version: d.version,
      description: d.description,
      params: strategyParams(d),
    }));
}
