// The backtest CLI as a user runs it: --csv and the store, --json, list/show/export/delete.

import assert from "node:assert/strict";
import { formatCandleCsv } from "../../src/data/csv.ts";
import { inRange, resolveSeries } from "../../src/cli/backtest_support.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { EXPECTED_TRADE, scenario } from "../backtest/scenario_support.ts";
import { makeCandles, runCli, tempDir } from "../support.ts";

const CLI = "src/cli/backtest.ts";

Deno.test("backtest --csv --json: exact trade, same bytes twice, stored and manageable", async () => {
  await using dir = await tempDir();
  const csv = `${dir.path}/scenario.csv`;
  await Deno.writeTextFile(csv, formatCandleCsv(scenario()));
  const db = `${dir.path}/bt.duckdb`;
  const args = [
    "--strategy",
    "sma_cross",
    "--params",
    "fast_period=2,slow_period=3",
    "--csv",
    csv,
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--fee",
    "0.001",
    "--qty-step",
    "0.1",
    "--size-mode",
    "equity",
    "--size",
    "1",
    "--json",
    "--db",
    db,
  ];
  const a = await runCli(CLI, args);
  assert.equal(a.code, 0, a.stderr);
  const out = JSON.parse(a.stdout);
  for (const key of ["metrics", "final_equity", "open_position", "equity_curve", "trades"]) {
    assert.ok(key in out, key);
  }
  assert.equal(out.open_position, null);
  assert.equal(out.trades.length, 1);
  // how the decisions ended: one entry, one exit
  assert.deepEqual(out.decision_summary, [
    { outcome: "order", code: "close", count: 1 },
    { outcome: "order", code: "open", count: 1 },
  ]);
  const t = out.trades[0];
  for (
    const key of [
      "entry_ts",
      "exit_ts",
      "side",
      "qty",
      "entry_price",
      "exit_price",
      "exit_reason",
    ] as const
  ) {
    assert.equal(t[key], EXPECTED_TRADE[key], key);
  }
  assert.ok(Math.abs(t.fees - 16.65) < 1e-9 && Math.abs(t.pnl + 3346.65) < 1e-9);
  const b = await runCli(CLI, args);
  assert.equal(b.stdout, a.stdout);

  const list = await runCli(CLI, ["list", "--json", "--db", db]);
  const runs = JSON.parse(list.stdout);
  assert.equal(runs.length, 1); // the same inputs replace the same run
  assert.equal(runs[0].id, out.run_id);
  assert.equal(runs[0].strategy_version, "1.0.0");

  const show = await runCli(CLI, ["show", out.run_id, "--db", db]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /sma_cross@1\.0\.0 csv SYN\/USDT 1m/);
  assert.match(show.stdout, /Total return\s+-33\.47%/);
  // the stored run counts its decisions as the result did
  assert.ok(show.stdout.includes("Decisions:\n  order: close 1\n  order: open 1\n"), show.stdout);

  const exported = `${dir.path}/trades.csv`;
  const ex = await runCli(CLI, ["export", out.run_id, "--file", exported, "--db", db]);
  assert.equal(ex.code, 0, ex.stderr);
  const lines = (await Deno.readTextFile(exported)).trim().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^SYN\/USDT,long,1704067500000,1704067680000,832\.5,12,8,/);

  const del = await runCli(CLI, ["delete", out.run_id, "--db", db]);
  assert.match(del.stdout, /Deleted 1 run\./);
  const gone = await runCli(CLI, ["show", out.run_id, "--db", db]);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /No backtest run/);
});

Deno.test("backtest from the store with a table; clear errors for missing data and flags", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/bt.duckdb`;
  const synth = await runCli("src/cli/data.ts", [
    "synth",
    "--bars",
    "5000",
    "--seed",
    "5",
    "--db",
    db,
  ]);
  assert.equal(synth.code, 0, synth.stderr);
  const r = await runCli(CLI, [
    "--strategy",
    "ema_cross",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--db",
    db,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ema_cross 1\.0\.0 on synthetic SYN\/USDT 1m/);
  assert.match(r.stdout, /Sharpe/);
  assert.ok(
    r.stdout.includes(
      "Decisions:\n  order: close 101\n  order: open 101\n  refused: direction 1\n",
    ),
    r.stdout,
  );
  const missing = await runCli(CLI, [
    "--strategy",
    "ema_cross",
    "--symbol",
    "BTC/USDT",
    "--timeframe",
    "1m",
    "--db",
    db,
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /No stored candles for BTC\/USDT 1m/);
  const badMode = await runCli(CLI, [
    "--strategy",
    "ema_cross",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--size-mode",
    "all",
    "--db",
    db,
  ]);
  assert.match(badMode.stderr, /--size-mode "all" must be "equity" or "risk"/);
});

Deno.test("resolveSeries: the exchange may be left out when one has candles of the series", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/s.duckdb`);
  try {
    const store = new CandleStore(db);
    const candles = makeCandles(50);
    const key = { symbol: "SYN/USDT", timeframe: "1m" };
    await store.upsert({ exchange: "okx", ...key }, candles);
    await store.upsert({ exchange: "binance", ...key }, candles);
    await store.upsert({ exchange: "okx", symbol: "SYN/USDT", timeframe: "5m" }, candles);
    await assert.rejects(
      () => resolveSeries(store, key),
      /SYN\/USDT 1m is stored for several exchanges \(binance, okx\): pass --exchange/,
    );
    assert.deepEqual(await resolveSeries(store, { exchange: "OKX", ...key }), {
      exchange: "okx",
      ...key,
    });
    await store.delete({ exchange: "binance", ...key }); // its series row stays, without candles
    assert.deepEqual(await resolveSeries(store, key), { exchange: "okx", ...key });
    await assert.rejects(
      () => resolveSeries(store, { ...key, timeframe: "1h" }),
      /No stored candles for SYN\/USDT 1h/,
    );
  } finally {
    await db.close();
  }
});

Deno.test("inRange: candles in [from, to) in their order; all of them without a copy", () => {
  const c = makeCandles(10);
  assert.equal(inRange(c, {}), c);
  assert.equal(inRange(c, { from: c.ts[0], to: c.ts[9] + 1 }), c);
  const part = inRange(c, { from: c.ts[2], to: c.ts[5] });
  assert.deepEqual(Array.from(part.ts), Array.from(c.ts.slice(2, 5)));
  assert.deepEqual(Array.from(part.volume), Array.from(c.volume.slice(2, 5)));
  assert.equal(inRange(c, { from: c.ts[9] + 1 }).ts.length, 0);
});
