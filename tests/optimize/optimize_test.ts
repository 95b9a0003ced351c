// optimize() on real backtests: parity with backtest(), invalid trials, constraints, pruning, workers.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { optimize, type OptimizeOptions } from "../../src/optimize/optimize.ts";
import type { Trial } from "../../src/optimize/types.ts";

const candles = synthCandles({ bars: 6_000, seed: 11 });
const base: OptimizeOptions = {
  strategy: "ema_cross",
  candles,
  symbol: "SYN/USDT",
  timeframe: "1m",
  trials: 16,
  seed: 3,
  workers: 0,
};
const states = (ts: Trial[]) => ts.map((t) => t.state);

Deno.test("a trial's metrics are exactly backtest()'s for the same parameters and settings", async () => {
  const settings = { fee: 0.0005, slippageBps: 2, cash: 5_000, closeAtEnd: true };
  const r = await optimize({ ...base, sampler: "random", trials: 4, backtest: settings });
  const complete = r.trials.filter((t) => t.state === "complete");
  assert.ok(complete.length >= 2);
  for (const t of complete) {
    const bt = await backtest(
      { strategy: "ema_cross", symbol: "SYN/USDT", timeframe: "1m", params: t.params, ...settings },
      candles,
    );
    assert.deepEqual(t.metrics, bt.metrics);
    assert.equal(t.value, bt.metrics.sharpe);
  }
});

Deno.test("parameter sets the schema refuses (fast >= slow) are recorded as invalid trials", async () => {
  const r = await optimize({
    ...base,
    sampler: "random",
    trials: 24,
    space: { fast_period: { low: 10, high: 60 }, slow_period: { low: 20, high: 70 } },
  });
  assert.equal(r.trials.length, 24);
  assert.deepEqual(r.trials.map((t) => t.number), [...Array(24).keys()]);
  const invalid = r.trials.filter((t) => t.state === "invalid");
  assert.ok(invalid.length >= 3, `${invalid.length} invalid`);
  for (const t of invalid) {
    assert.ok((t.params.fast_period as number) >= (t.params.slow_period as number));
    assert.match(t.reason!, /fast_period must be smaller than slow_period/);
    assert.equal(t.score, -Infinity);
    assert.equal(t.value, null);
    assert.equal(t.metrics, null);
  }
  for (const t of r.trials.filter((t) => t.state === "complete")) {
    assert.ok((t.params.fast_period as number) < (t.params.slow_period as number));
  }
  assert.ok(r.best && r.best.state === "complete");
});

Deno.test("constraints: violating trials keep value and metrics, score -Infinity, with the reason", async () => {
  const r = await optimize({
    ...base,
    sampler: "random",
    trials: 8,
    constraints: { minTrades: 1e6 },
  });
  const complete = r.trials.filter((t) => t.state === "complete");
  assert.ok(complete.length > 0);
  for (const t of complete) {
    assert.equal(t.score, -Infinity);
    assert.equal(typeof t.value, "number");
    assert.match(t.reason!, /^constraint: \d+ trades, fewer than minTrades 1000000$/);
  }
  assert.equal(r.best, null);

  const dd = await optimize({
    ...base,
    sampler: "random",
    trials: 8,
    constraints: { maxDrawdown: 0.05, check: (m) => (m.trades % 2 ? "odd trade count" : null) },
  });
  for (const t of dd.trials.filter((t) => t.state === "complete")) {
    const broken = t.metrics!.max_drawdown > 0.05 || t.metrics!.trades % 2 === 1;
    assert.equal(t.score === -Infinity, broken, `trial ${t.number}`);
    if (t.metrics!.max_drawdown > 0.05) assert.match(t.reason!, /maxDrawdown 0\.05/);
    else if (broken) assert.equal(t.reason, "constraint: odd trade count");
  }
});

Deno.test("objectives: built-ins and a function of the metrics", async () => {
  const rdd = await optimize({
    ...base,
    sampler: "random",
    trials: 4,
    objective: "return_dd",
    lambda: 2,
  });
  const fn = await optimize({
    ...base,
    sampler: "random",
    trials: 4,
    objective: (m) => m.total_return,
  });
  for (const [a, b] of rdd.trials.map((t, i) => [t, fn.trials[i]])) {
    if (a.state !== "complete") continue;
    assert.equal(a.value, a.metrics!.total_return - 2 * a.metrics!.max_drawdown);
    assert.equal(b.value, b.metrics!.total_return);
  }
  await assert.rejects(optimize({ ...base, objective: "nope" as "sharpe" }), /Objective "nope"/);
});

Deno.test("the median pruner stops trials that trail at a checkpoint, after its warm-up", async () => {
  const r = await optimize({ ...base, sampler: "random", trials: 32, prune: { warmup: 3 } });
  const pruned = r.trials.filter((t) => t.state === "pruned");
  assert.ok(pruned.length >= 3, `${pruned.length} pruned`);
  for (const t of pruned) {
    assert.ok(t.number >= 8, "nothing is pruned in the first batch (no medians yet)");
    assert.match(t.reason!, /^pruned at (25|50) % of the data: -?[\d.e+-]+ < median -?[\d.e+-]+$/);
    assert.equal(t.metrics, null);
    assert.equal(t.score, -Infinity);
  }
  for (const t of r.trials.filter((t) => t.state === "complete")) {
    assert.equal(t.intermediate.length, 2);
  }
  // The intermediate value is the objective on the prefix: the same as a backtest of it.
  const t = r.trials.find((t) => t.state === "complete")!;
  const quarter = await backtest(
    { strategy: "ema_cross", symbol: "SYN/USDT", timeframe: "1m", params: t.params },
    {
      ts: candles.ts.subarray(0, 1500),
      open: candles.open.subarray(0, 1500),
      high: candles.high.subarray(0, 1500),
      low: candles.low.subarray(0, 1500),
      close: candles.close.subarray(0, 1500),
      volume: candles.volume.subarray(0, 1500),
    },
  );
  assert.equal(t.intermediate[0], quarter.metrics.sharpe);
});

Deno.test("same seed, same trials with 0, 1 or 2 workers (shared candles), random and TPE", async () => {
  for (const sampler of ["random", "tpe"] as const) {
    const opts = {
      ...base,
      sampler,
      trials: 20,
      prune: { warmup: 3 },
      constraints: { minTrades: 3 },
    };
    const inThread = await optimize({ ...opts, workers: 0 });
    const one = await optimize({ ...opts, workers: 1 });
    const two = await optimize({ ...opts, workers: 2 });
    assert.deepEqual(one.trials, inThread.trials, sampler);
    assert.deepEqual(two.trials, inThread.trials, sampler);
    assert.ok(states(inThread.trials).includes("complete"));
    const again = await optimize({ ...opts, workers: 2 });
    assert.deepEqual(again, two);
  }
});

Deno.test("grid: every point once, then the study ends early (exhausted)", async () => {
  const r = await optimize({
    ...base,
    sampler: "grid",
    trials: 100,
    gridSteps: 3,
    space: { fast_period: { low: 5, high: 25 }, slow_period: { low: 30, high: 90 } },
  });
  assert.equal(r.exhausted, true);
  assert.deepEqual(
    r.trials.map((t) => [t.params.fast_period, t.params.slow_period]),
    [[5, 30], [5, 60], [5, 90], [15, 30], [15, 60], [15, 90], [25, 30], [25, 60], [25, 90]],
  );
});

Deno.test("progress after every trial, with the best so far; an aborted run rejects", async () => {
  const seen: number[] = [];
  let bestValues = 0;
  const r = await optimize({
    ...base,
    trials: 10,
    now: () => 0,
    onProgress: (p) => {
      seen.push(p.done);
      assert.equal(p.total, 10);
      assert.equal(p.elapsedMs, 0);
      if (p.best) bestValues++;
    },
  });
  assert.deepEqual(seen, [...Array(10).keys()].map((i) => i + 1));
  assert.ok(bestValues > 0);
  assert.equal(r.best!.score, Math.max(...r.trials.map((t) => t.score)));

  const ac = new AbortController();
  await assert.rejects(
    optimize({
      ...base,
      trials: 40,
      signal: ac.signal,
      onProgress: (p) => p.done === 3 && ac.abort(),
    }),
    (e) => e instanceof DOMException && e.name === "AbortError",
  );
});
