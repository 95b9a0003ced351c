// POST/DELETE /api/backtests: ranges without candles fail as the CLI does; cancelled jobs say so;
// deleting runs leaves no job pointing at a deleted run.

import { apiClient } from "./api_client_support.ts";
import assert from "node:assert/strict";
import { sliceColumns } from "../../src/core/candles.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { assemble } from "../../src/assemble.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { waitFor } from "../service/service_support.ts";

const TOKEN = "test-token-0123456789abcdef";
const MIN = 60_000;
const START = Date.UTC(2024, 0, 1);

async function start(path: string) {
  const db = await Db.open(path);
  // 2,000 candles, then a hole of 1,000 minutes, then 2,000 more.
  const all = synthCandles({ bars: 5_000, seed: 3, start: START });
  const key = { exchange: "synthetic", symbol: "SYN/USDT", timeframe: "1m" };
  const store = new CandleStore(db);
  await store.upsert(key, sliceColumns(all, 0, 2_000));
  await store.upsert(key, sliceColumns(all, 3_000, 5_000));
  const service = await assemble({
    db,
    entries: [],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 60, startTs: REPLAY_START },
  });
  const { json, send } = apiClient(service.app, TOKEN);
  const request = (over: Record<string, unknown> = {}) => ({
    strategy: "sma_cross",
    exchange: "synthetic",
    symbol: "SYN/USDT",
    timeframe: "1m",
    params: { fast_period: 5, slow_period: 20 },
    ...over,
  });
  return {
    service,
    json,
    send,
    request,
    async close() {
      await service.close();
      await db.close();
    },
  };
}

Deno.test("backtests: a range without candles fails with the CLI's message", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/a.duckdb`);
  try {
    const cli = "No candles for synthetic SYN/USDT 1m in that range.";
    // Outside what is stored: refused at once.
    const after = await s.send("POST", "/api/backtests", s.request({ from: START + 10_000 * MIN }));
    assert.equal(after.status, 422);
    assert.deepEqual(after.body.fields, ["from"]);
    assert.ok(after.body.error.includes(`from: ${cli}`), after.body.error);
    assert.match(after.body.error, /Stored: 2024-01-01T00:00:00\.000Z to /);
    const before = await s.send("POST", "/api/backtests", s.request({ to: START }));
    assert.equal(before.status, 422);
    assert.ok(before.body.error.includes(`to: ${cli}`), before.body.error);
    // Inside the stored span but in the hole: the job fails with the same words.
    const done = waitFor(s.service.bus, (e) => e.type === "backtest.done", 60_000, "the job");
    const hole = await s.send(
      "POST",
      "/api/backtests",
      s.request({ from: START + 2_100 * MIN, to: START + 2_900 * MIN }),
    );
    assert.equal(hole.status, 202);
    const job = (await done).data as { state: string; error: string; run_id?: string };
    assert.equal(job.state, "failed");
    assert.equal(job.error, cli);
    assert.equal(job.run_id, undefined);
    assert.equal((await s.json("/api/backtests")).body.runs.length, 0);

    const typo = await s.send("POST", "/api/backtests", s.request({ strategy: "SMA_crosover" }));
    assert.equal(typo.status, 422);
    assert.deepEqual(typo.body.fields, ["strategy"]);
    assert.match(typo.body.error, /did you mean "sma_cross"/);
    const alias = await s.send("POST", "/api/backtests", s.request({ strategy: "SMA_Crossover" }));
    assert.equal(alias.status, 202);
  } finally {
    await s.close();
  }
});

Deno.test("backtests: a cancelled job says cancelled; deleted runs leave no job behind", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/b.duckdb`);
  try {
    const firstDone = waitFor(
      s.service.bus,
      (e) => e.type === "backtest.done" && (e.data as { job_id: string }).job_id === "job-1",
      60_000,
      "job-1",
    );
    const first = await s.send("POST", "/api/backtests", s.request());
    const queued = await s.send("POST", "/api/backtests", s.request());
    assert.equal(queued.body.job_id, "job-2");
    // job-2 waits behind job-1: cancelling it is deterministic.
    const cancel = await s.send("DELETE", "/api/backtests/job-2");
    assert.equal(cancel.status, 200);
    assert.equal(cancel.body.cancelled, 1);
    assert.equal(cancel.body.job.state, "cancelled");
    assert.equal((await s.json("/api/backtests/job-2")).body.state, "cancelled");

    const one = (await firstDone).data as { state: string; run_id: string };
    assert.equal(one.state, "done");
    assert.equal((await s.json(`/api/backtests/${first.body.job_id}`)).body.run_id, one.run_id);
    assert.equal((await s.json("/api/backtests/job-2")).body.state, "cancelled", "still");

    // Another queued behind a running one; DELETE /api/backtests cancels both and deletes runs.
    await s.send("POST", "/api/backtests", s.request());
    await s.send("POST", "/api/backtests", s.request());
    const wiped = await s.send("DELETE", "/api/backtests");
    assert.equal(wiped.status, 200);
    assert.equal(wiped.body.deleted, 1);
    assert.equal(wiped.body.cancelled, 2);
    const list = (await s.json("/api/backtests")).body;
    assert.deepEqual(list.runs, []);
    assert.deepEqual(
      list.jobs.map((j: { job_id: string; state: string }) => [j.job_id, j.state]),
      [["job-4", "cancelled"], ["job-3", "cancelled"], ["job-2", "cancelled"]],
    );
    for (const j of list.jobs) assert.equal(j.run_id, undefined);
    assert.equal((await s.json(`/api/backtests/${first.body.job_id}`)).status, 404);

    // A run deleted by id takes its job with it.
    const done = waitFor(s.service.bus, (e) => e.type === "backtest.done", 60_000, "job-5");
    await s.send("POST", "/api/backtests", s.request());
    const five = (await done).data as { run_id: string };
    assert.equal((await s.send("DELETE", `/api/backtests/${five.run_id}`)).body.deleted, 1);
    assert.equal((await s.json("/api/backtests/job-5")).status, 404);
  } finally {
    await s.close();
  }
});
