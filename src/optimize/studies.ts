// Reading stored studies as plain objects: list them, show one's best trials, compare several.

import { ConfigError } from "../core/errors.ts";
import type { Db } from "../store/db.ts";
import { type StudyRecord, StudyStore, type StudySummary } from "./study_store.ts";
import type { Trial, TrialState } from "./types.ts";

/** One study with its trial counts and best trials. */
export interface StudyReport {
  study: StudyRecord;
  counts: Record<TrialState, number>;
  /** Best ranked trials, best first. */
  top: Trial[];
}

/**
 * Every stored study, newest first, with counts and best value.
 *
 * @example
 * ```ts
 * for (const s of await listStudies(db)) console.log(s.name, s.trials, s.best?.value);
 * ```
 */
export async function listStudies(db: Db): Promise<StudySummary[]> {
  return await new StudyStore(db).list();
}

/**
 * A study's settings, trial counts and its `top` best trials (default 10); a ConfigError when
 * no study has that name.
 *
 * @example
 * ```ts
 * const { study, counts, top } = await showStudy(db, "ema-sharpe", { top: 5 });
 * top[0].params; // the best parameters
 * ```
 */
export async function showStudy(
  db: Db,
  name: string,
  options: { top?: number } = {},
): Promise<StudyReport> {
  const store = new StudyStore(db);
  const study = await store.get(name);
  if (!study) {
    const names = (await store.list()).map((s) => s.name);
    throw new ConfigError(
      `No study "${name}"${
        names.length ? `: the stored ones are ${names.join(", ")}` : " (none is stored yet)"
      }.`,
    );
  }
  const trials = await store.trials(study.id);
  const counts: Record<TrialState, number> = { complete: 0, pruned: 0, invalid: 0, failed: 0 };
  for (const t of trials) counts[t.state]++;
  return { study, counts, top: await store.top(name, options.top ?? 10) };
}

/**
 * Several studies side by side: each one's report with its `top` best trials (default 3), in
 * the order given, sorted by nothing else so a notebook can tabulate them directly.
 *
 * @example
 * ```ts
 * const rows = await compareStudies(db, ["ema-tpe", "ema-random"], { top: 1 });
 * rows.map((r) => [r.study.name, r.top[0]?.value]);
 * ```
 */
export async function compareStudies(
  db: Db,
  names: readonly string[],
  options: { top?: number } = {},
): Promise<StudyReport[]> {
  const out: StudyReport[] = [];
  for (const name of names) out.push(await showStudy(db, name, { top: options.top ?? 3 }));
  return out;
}
