// Search spaces as text (CLI flags): "fast_period=5..50,slow_period=20..400:log,direction=long|both".

import { ConfigError } from "../core/errors.ts";
import type { ChoiceValue, DimensionOverride } from "./space.ts";

/**
 * Parses a search-space text: `name=lo..hi[:step][:log]` for ranges and `name=a|b|c` for value
 * lists, comma-separated, e.g. "fast_period=5..50,slow_period=20..400:log,direction=long|both".
 */
export function parseSpaceText(text: string): Record<string, DimensionOverride> {
  const out: Record<string, DimensionOverride> = {};
  const value = (v: string): ChoiceValue =>
    v === "true"
      ? true
      : v === "false"
      ? false
      : v !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : v;
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).trim();
    const spec = part.slice(eq + 1).trim();
    const range = /^(-?[\d.eE+-]+)\.\.(-?[\d.eE+-]+)((?::[^:]+)*)$/.exec(spec);
    if (eq <= 0) throw new ConfigError(`--space "${part}" is not name=lo..hi or name=a|b.`);
    if (range) {
      const o: DimensionOverride = { low: Number(range[1]), high: Number(range[2]) };
      for (const opt of range[3].split(":").filter(Boolean)) {
        if (opt === "log") o.log = true;
        else if (Number.isFinite(Number(opt))) o.step = Number(opt);
        else throw new ConfigError(`--space "${part}": "${opt}" is neither a step nor "log".`);
      }
      if (!Number.isFinite(o.low!) || !Number.isFinite(o.high!)) {
        throw new ConfigError(`--space "${part}": the range ends must be numbers.`);
      }
      out[name] = o;
    } else out[name] = { values: spec.split("|").map((v) => value(v.trim())) };
  }
  return out;
}
