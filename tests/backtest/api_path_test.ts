// An API backtest (BacktestJobs, its worker) stores the run that backtest() and toRunToSave make.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { toRunToSave } from "../../src/backtest/stored_run.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { BacktestJobs, backtestRequest } from "../../src/service/backtest_jobs.ts";
import { EventBus } from "../../src/service/event_bus.ts";
import { BacktestStore } from "../../src/store/backtest_store.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";

Deno.test("an API backtest stores what backtest() gives for the same candles and settings", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/api.duckdb`);
  try {
    const key = { exchange: "synthetic", symbol: "SYN/USDT", timeframe: "1m" };
    const candles = synthCandles({ bars: 6000, seed: 21 });
    const store = new CandleStore(db);
    await store.upsert(key, candles);
    const runs = new BacktestStore(db);
    const bus = new EventBus();
    const jobs = new BacktestJobs(store, runs, bus);
    const done = new Promise<Record<string, unknown>>((resolve) => {
      const stop = bus.subscribe((e) => {
        if (e.type === "backtest.done") (stop(), resolve(e.data as Record<string, unknown>));
      });
    });
    await jobs.submit(backtestRequest.parse({
      ...key,
      strategy: "sma_cross",
      params: { fast_period: 5, slow_period: 20 },
      size_mode: "equity",
      size: 0.5,
    }));
    const job = await done;
    assert.equal(job.state, "done", String(job.error));

    const direct = await backtest({
      strategy: "sma_cross",
      ...key,
      params: { fast_period: 5, slow_period: 20 },
      sizeMode: "equity",
      size: 0.5,
    }, await store.read(key));
    assert.equal(job.run_id, direct.run_id);
    const stored = await runs.get(direct.run_id, { equity: true });
    assert.ok(stored && direct.trades.length > 5);
    assert.deepEqual(stored.trades, direct.trades);
    assert.deepEqual(stored.equity, direct.equity_curve);
    assert.deepEqual(stored.metrics, JSON.parse(JSON.stringify(direct.metrics)));
    const want = toRunToSave(direct).decisions;
    const rows = await db.all(
      "SELECT ts, outcome, code, detail FROM backtest_decisions WHERE run_id = ?",
      [direct.run_id],
    );
    const sorted = (xs: unknown[][]) => xs.map((x) => JSON.stringify(x)).sort();
    assert.deepEqual(
      sorted(rows.map((r) => [Number(r.ts), r.outcome, r.code, r.detail])),
      sorted(want.map((d) => [d.ts, d.outcome, d.code, d.detail])),
    );
  } finally {
    await db.close();
  }
});
