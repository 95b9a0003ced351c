// Studies in DuckDB: stored trials, resume (after a stop, an abort or lost rows) equals one run.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { optimize, type OptimizeOptions, resumeOptions } from "../../src/optimize/optimize.ts";
import { compareStudies, listStudies, showStudy } from "../../src/optimize/studies.ts";
import { StudyStore } from "../../src/optimize/study_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";

const candles = synthCandles({ bars: 5_000, seed: 21 });
const opts: OptimizeOptions = {
  strategy: "sma_cross",
  candles,
  symbol: "SYN/USDT",
  timeframe: "1m",
  exchange: "synthetic",
  sampler: "tpe",
  tpe: { startup: 6 },
  trials: 28,
  seed: 9,
  workers: 0,
  prune: { warmup: 3 },
  constraints: { minTrades: 2 },
  backtest: { fee: 0.0005 },
};

async function withDb(fn: (db: Db) => Promise<void>): Promise<void> {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/studies.duckdb`);
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

Deno.test("a study is stored; resuming continues the numbering and ends as one run would", async () => {
  const reference = await optimize(opts);
  assert.ok(reference.trials.some((t) => t.state === "pruned"));
  await withDb(async (db) => {
    const first = await optimize({ ...opts, trials: 12, store: { db, study: "s" } });
    assert.deepEqual(first.trials, reference.trials.slice(0, 12));
    assert.equal(first.study!.name, "s");
    assert.deepEqual(await new StudyStore(db).trials(first.study!.id), first.trials);
    // 12 is mid-batch (batches of 8): the rest of that batch is proposed from the same history.
    const more = await optimize({ ...opts, store: { db, study: "s", resume: true } });
    assert.deepEqual(more.trials, reference.trials);
    assert.deepEqual(more.best, reference.best);
    const [summary] = await listStudies(db);
    assert.equal(summary.trials, 28);
    assert.equal(summary.target, 28);
    assert.equal(summary.best!.number, reference.best!.number);
  });
});

Deno.test("an aborted study, and one that lost trials, resume to the uninterrupted result", async () => {
  const reference = await optimize(opts);
  await withDb(async (db) => {
    const ac = new AbortController();
    await assert.rejects(
      optimize({
        ...opts,
        store: { db, study: "a" },
        signal: ac.signal,
        onProgress: (p) => p.done === 10 && ac.abort(),
      }),
      (e) => e instanceof DOMException && e.name === "AbortError",
    );
    const store = new StudyStore(db);
    const study = (await store.get("a"))!;
    const kept = (await store.trials(study.id)).length; // trials that finished are all stored
    assert.ok(kept >= 10 && kept < 28, String(kept));
    const resumed = await optimize({ ...opts, store: { db, study: "a", resume: true } });
    assert.deepEqual(resumed.trials, reference.trials);

    await db.run(
      "DELETE FROM optimization_trials WHERE study_id = ? AND number IN (3, 9, 20, 27)",
      [
        study.id,
      ],
    );
    const refilled = await optimize({ ...opts, store: { db, study: "a", resume: true } });
    assert.deepEqual(refilled.trials, reference.trials);
  });
});

Deno.test("resume from the stored settings alone (resumeOptions), to a larger target", async () => {
  const reference = await optimize({ ...opts, trials: 20 });
  await withDb(async (db) => {
    await optimize({ ...opts, trials: 9, store: { db, study: "r" } });
    const study = (await new StudyStore(db).get("r"))!;
    const r = await optimize({
      ...resumeOptions(study),
      candles,
      symbol: study.symbol,
      timeframe: study.timeframe,
      trials: 20,
      workers: 0,
      store: { db, study: "r", resume: true },
    });
    assert.deepEqual(r.trials, reference.trials);
    assert.equal((await new StudyStore(db).get("r"))!.config.trials, 20);
  });
});

Deno.test("a stored name is not reused by accident, and a resume must match the study", async () => {
  await withDb(async (db) => {
    await optimize({ ...opts, trials: 4, store: { db, study: "x" } });
    const refused = (o: Partial<OptimizeOptions>, re: RegExp) =>
      assert.rejects(
        optimize({ ...opts, ...o, store: { db, study: "x", resume: o.store?.resume ?? true } }),
        (e) => e instanceof ConfigError && re.test(e.message),
      );
    await refused({ store: { db, study: "x", resume: false } }, /already exists \(4 trials\)/);
    await refused({ seed: 10 }, /another seed: stored 9, now 10/);
    await refused({ objective: "sortino" }, /another objective/);
    await refused({ sampler: "random" }, /another sampler/);
    await refused({ candles: synthCandles({ bars: 5_000, seed: 22 }) }, /another data/);
    await refused({ backtest: { fee: 0.001 } }, /another settings/);
    await refused({ space: { fast_period: { low: 5, high: 20 } } }, /another search space/);
  });
});

Deno.test("show and compare studies: counts and best trials first", async () => {
  await withDb(async (db) => {
    await optimize({ ...opts, trials: 12, store: { db, study: "tpe" } });
    await optimize({ ...opts, sampler: "random", trials: 12, store: { db, study: "random" } });
    const shown = await showStudy(db, "tpe", { top: 4 });
    const total = Object.values(shown.counts).reduce((a, b) => a + b, 0);
    assert.equal(total, 12);
    assert.ok(shown.top.length <= 4 && shown.top.length > 0);
    for (let i = 1; i < shown.top.length; i++) {
      assert.ok(shown.top[i - 1].score >= shown.top[i].score);
    }
    assert.equal(shown.study.sampler.kind, "tpe");
    const both = await compareStudies(db, ["random", "tpe"], { top: 1 });
    assert.deepEqual(both.map((r) => r.study.name), ["random", "tpe"]);
    await assert.rejects(showStudy(db, "nope"), /No study "nope": the stored ones are/);
  });
});
