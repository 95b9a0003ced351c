// Opening a study to run: create it, or resume it after checking it was started the same way.

import { ConfigError } from "../core/errors.ts";
import type { NewStudy, StudyRecord, StudyStore } from "./study_store.ts";
import type { Trial } from "./types.ts";

/** JSON with object keys sorted, so equal settings compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) =>
      x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : x,
  );
}

/** What must match for a study to be resumed, with how to show it. */
function identity(s: NewStudy): [string, unknown][] {
  const { trials: _t, range: _r, ...config } = s.config;
  return [
    ["strategy", s.strategy],
    ["strategy version", s.strategy_version],
    ["symbol", s.symbol],
    ["timeframe", s.timeframe],
    ["data (candles fingerprint)", s.data_fingerprint],
    ["search space", s.space],
    ["objective", s.objective],
    ["sampler", s.sampler],
    ["seed", s.seed],
    ["settings (backtest, constraints, pruning, batch)", config],
  ];
}

function short(v: unknown): string {
  const s = typeof v === "string" ? v : canonicalJson(v);
  return s.length > 160 ? s.slice(0, 157) + "..." : s;
}

/**
 * Creates the study `name`, or with `resume` continues it: the stored settings must match
 * `fresh` (a ConfigError names the first difference) and its trials are returned. A stored
 * study without `resume` is a ConfigError, so a name is never reused by accident.
 */
export async function openStudy(
  store: StudyStore,
  name: string,
  resume: boolean,
  fresh: NewStudy,
): Promise<{ study: StudyRecord; trials: Trial[] }> {
  if (!name.trim()) throw new ConfigError("A study name cannot be empty.");
  const existing = await store.get(name);
  if (!existing) return { study: await store.create({ ...fresh, name }), trials: [] };
  const trials = await store.trials(existing.id);
  if (!resume) {
    throw new ConfigError(
      `Study "${name}" already exists (${trials.length} trials): resume it (--resume, or store.resume in code), or choose another name.`,
    );
  }
  const stored = identity(existing);
  const given = identity({ ...fresh, name });
  for (let i = 0; i < stored.length; i++) {
    const [what, a] = stored[i];
    const b = given[i][1];
    if (canonicalJson(a) !== canonicalJson(b)) {
      throw new ConfigError(
        `Study "${name}" was started with another ${what}: stored ${short(a)}, now ${short(b)}. ` +
          `Resume it with the settings it was started with, or start a new study.`,
      );
    }
  }
  if (fresh.config.trials > existing.config.trials) {
    const config = { ...existing.config, trials: fresh.config.trials };
    await store.updateConfig(existing.id, config);
    existing.config = config;
  }
  return { study: existing, trials };
}
