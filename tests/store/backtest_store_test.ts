// BacktestStore: a run saved through appenders reads back exactly; a replaced run; one transaction.

import assert from "node:assert/strict";
import type { Trade } from "../../src/core/trading.ts";
import { BacktestStore, type RunToSave } from "../../src/store/backtest_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

/** A run with `n` equity points, `t` trades and `d` decisions, its texts varying by row. */
function makeRun(id: string, n: number, t: number, d: number): RunToSave {
  const trades: Trade[] = Array.from({ length: t }, (_, i) => ({
    symbol: i % 3 === 0 ? "ETH/USDT" : "SYN/USDT",
    side: i % 2 === 0 ? "long" : "short",
    entry_ts: T0 + i * 10 * MIN,
    exit_ts: T0 + (i * 10 + 4) * MIN,
    qty: 0.1 + i / 7,
    entry_price: 100 + i * 0.01,
    exit_price: 101 - i * 0.003,
    fees: 0.2 + i * 1e-6,
    funding: i % 5 === 0 ? -0.01 : 0,
    pnl: (i % 7) - 3.5,
    exit_reason: i % 4 === 0 ? "sl" : "signal",
  }));
  return {
    id,
    strategy: "sma_cross",
    strategy_version: "1.0.0",
    exchange: "synthetic",
    symbol: "SYN/USDT",
    timeframe: "1m",
    first_ts: T0,
    last_ts: T0 + (n - 1) * MIN,
    candles: n,
    data_fingerprint: "ab".repeat(32),
    config: { fee: 0.001 },
    metrics: { total_return: 0.1 },
    final_equity: 11_000,
    open_position: null,
    trades,
    equity: {
      ts: Float64Array.from({ length: n }, (_, i) => T0 + i * MIN),
      equity: Float64Array.from({ length: n }, (_, i) => 10_000 + Math.sin(i) * 100 + i / 3),
    },
    decisions: Array.from({ length: d }, (_, i) => ({
      ts: T0 + i * 5 * MIN,
      symbol: "SYN/USDT",
      // the same text in a slot of consecutive chunks (2048 rows apart), different beside it
      side: i % 2048 < 1000 ? "long" : i % 3 === 0 ? "exit" : "short",
      confidence: (i % 10) / 10,
      signal_reason: `crossed at ${100 + i * 0.25}`,
      outcome: i % 9 === 0 ? "refused" : "order",
      code: i % 9 === 0 ? "already_in_position" : "open",
      detail: i % 2 === 0 ? `crossed at ${100 + i * 0.25}; size ${i}` : "",
    })),
  };
}

Deno.test("a saved run reads back exactly: trades, equity and decisions across data chunks", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/runs.duckdb`);
  try {
    const store = new BacktestStore(db);
    const run = makeRun("0123456789abcdef", 5000, 2100, 4200);
    await store.save(run);
    await store.save(makeRun("fedcba9876543210", 10, 1, 3)); // another run beside it
    const got = await store.get(run.id, { equity: true });
    assert.ok(got);
    assert.deepEqual(got.trades, run.trades);
    assert.deepEqual(got.equity, {
      ts: Array.from(run.equity.ts),
      equity: Array.from(run.equity.equity),
    });
    assert.equal(got.final_equity, 11_000);
    assert.deepEqual(got.config, { fee: 0.001 });
    const rows = await db.all(
      `SELECT * EXCLUDE (run_id) FROM backtest_decisions WHERE run_id = ? ORDER BY ts`,
      [run.id],
    );
    assert.deepEqual(
      rows.map((r) => ({ ...r, ts: Number(r.ts) })),
      run.decisions.map((x) => ({
        ts: x.ts,
        symbol: x.symbol,
        strategy_version: "1.0.0",
        side: x.side,
        confidence: x.confidence,
        signal_reason: x.signal_reason,
        outcome: x.outcome,
        code: x.code,
        detail: x.detail,
      })),
    );
    const [{ seqs }] = await db.all(
      "SELECT list(seq ORDER BY seq) AS seqs FROM backtest_trades WHERE run_id = ?",
      [run.id],
    );
    assert.deepEqual(seqs, Array.from({ length: 2100 }, (_, i) => i));
  } finally {
    await db.close();
  }
});

Deno.test("saving a run again replaces it; a run with no trades, equity or decisions saves", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/runs.duckdb`);
  try {
    const store = new BacktestStore(db);
    await store.save(makeRun("0123456789abcdef", 3000, 50, 70));
    await store.save(makeRun("0123456789abcdef", 2500, 40, 60));
    await store.save(makeRun("0000000000000000", 0, 0, 0));
    const counts = await db.all(`
      SELECT (SELECT count(*) FROM backtest_runs) AS runs,
             (SELECT count(*) FROM backtest_trades) AS trades,
             (SELECT count(*) FROM backtest_equity) AS equity,
             (SELECT count(*) FROM backtest_decisions) AS decisions`);
    assert.deepEqual(counts, [{ runs: 2n, trades: 40n, equity: 2500n, decisions: 60n }]);
    const empty = await store.get("0000000000000000", { equity: true });
    assert.deepEqual([empty?.trades, empty?.equity], [[], { ts: [], equity: [] }]);
  } finally {
    await db.close();
  }
});

Deno.test("a save that fails part way leaves the stored run as it was (one transaction)", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/runs.duckdb`);
  try {
    const store = new BacktestStore(db);
    const good = makeRun("0123456789abcdef", 3000, 50, 70);
    await store.save(good);
    const bad = makeRun("0123456789abcdef", 4000, 60, 80);
    // a decision without its code: NOT NULL, refused once the trades and equity are appended
    (bad.decisions[75] as { code: unknown }).code = null;
    await assert.rejects(() => store.save(bad));
    const got = await store.get(good.id, { equity: true });
    assert.equal(got?.trades.length, 50);
    assert.equal(got?.equity?.ts.length, 3000);
    const [{ n }] = await db.all("SELECT count(*) AS n FROM backtest_decisions");
    assert.equal(n, 70n);
  } finally {
    await db.close();
  }
});

Deno.test("times before 1970 (no 32-bit words fast path) are stored as they are", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/runs.duckdb`);
  try {
    const store = new BacktestStore(db);
    const run = makeRun("0123456789abcdef", 3000, 3, 4);
    run.equity.ts = run.equity.ts.map((t) => t - T0 - 1500 * MIN); // from before 1970 to after
    run.trades = run.trades.map((t) => ({ ...t, entry_ts: -t.entry_ts }));
    await store.save(run);
    const got = await store.get(run.id, { equity: true });
    assert.deepEqual(got?.trades, run.trades);
    assert.deepEqual(got?.equity?.equity, Array.from(run.equity.equity));
    const [{ ts }] = await db.all(
      "SELECT list(ts ORDER BY rowid) AS ts FROM backtest_equity WHERE run_id = ?",
      [run.id],
    );
    assert.deepEqual((ts as bigint[]).map(Number), Array.from(run.equity.ts));
  } finally {
    await db.close();
  }
});
