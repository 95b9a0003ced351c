// The risk block of a bot file: snake_case or camelCase keys, checked by the risk gate's own schema.

import { closestName } from "../core/closest_name.ts";
import { type RiskConfigInput, riskConfigSchema } from "../risk/config.ts";

/**
 * The `risk` block of a bot file: keys in snake_case (like the rest of the file) or camelCase,
 * validated with `riskConfigSchema`; returned with camelCase keys and without defaults filled in
 * (the gate fills them). Problems go to `add` under their path as written; undefined then.
 */
export function riskInput(
  written: Record<string, unknown>,
  add: (path: string, message: string) => void,
): RiskConfigInput | undefined {
  const camel: Record<string, unknown> = {};
  const spelled: Record<string, string> = {};
  let ok = true;
  for (const [key, v] of Object.entries(written)) {
    const name = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (name in camel) {
      add(`risk.${key}`, `Also given as "${spelled[name]}": give it once`);
      ok = false;
    }
    camel[name] = v;
    spelled[name] = key;
  }
  const res = riskConfigSchema.safeParse(camel);
  if (!res.success) {
    for (const i of res.error.issues) {
      const keys = i.code === "unrecognized_keys" ? i.keys : [i.path[0] as string | undefined];
      for (const k of keys) {
        const asWritten = k === undefined ? undefined : spelled[k] ?? k;
        const rest = i.code === "unrecognized_keys" ? [] : i.path.slice(1).map(String);
        const path = ["risk", asWritten, ...rest].filter(Boolean).join(".");
        add(path, i.code === "unrecognized_keys" ? unknownRiskKey(asWritten!) : i.message);
      }
    }
    return undefined;
  }
  return ok ? camel as RiskConfigInput : undefined;
}

function unknownRiskKey(key: string): string {
  const names = Object.keys(riskConfigSchema.in.shape).map((k) =>
    k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  );
  const near = closestName(key, names);
  return `Unknown risk setting "${key}": ` +
    (near ? `did you mean "${near}"?` : `the settings are ${names.join(", ")}`);
}
