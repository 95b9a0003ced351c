// The backtest's --csv input: a Binance kline dump without a header or --timeframe runs as the
// same candles in our own CSV do, with the inferred timeframe said on stderr.

import assert from "node:assert/strict";
import { formatCandleCsv } from "../../src/data/csv.ts";
import { scenario } from "../backtest/scenario_support.ts";
import { runCli, tempDir } from "../support.ts";

const CLI = "src/cli/backtest.ts";

Deno.test("backtest --csv of a Binance us dump, timeframe inferred, equals the run on our CSV", async () => {
  await using dir = await tempDir();
  const c = scenario();
  const ours = `${dir.path}/ours.csv`;
  await Deno.writeTextFile(ours, formatCandleCsv(c));
  const dump = `${dir.path}/BTCUSDT-1m-2025-01.csv`;
  const lines = Array.from(
    c.ts,
    (t, i) =>
      `${t * 1000},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]},` +
      `${(t + 59_999) * 1000 + 999},1234.5,17,40,480.25,0`,
  );
  await Deno.writeTextFile(dump, lines.join("\n") + "\n");
  const args = (csv: string, ...more: string[]) => [
    "--strategy",
    "sma_cross",
    "--params",
    "fast_period=2,slow_period=3",
    "--csv",
    csv,
    "--symbol",
    "SYN/USDT",
    "--qty-step",
    "0.1",
    "--json",
    "--no-store",
    "--db",
    `${dir.path}/bt.duckdb`,
    ...more,
  ];
  const given = await runCli(CLI, args(ours, "--timeframe", "1m"));
  assert.equal(given.code, 0, given.stderr);
  assert.equal(given.stderr, "");
  const inferred = await runCli(CLI, args(dump));
  assert.equal(inferred.code, 0, inferred.stderr);
  assert.equal(
    inferred.stderr.trim(),
    "timeframe 1m inferred from the candle spacing (pass --timeframe to choose)",
  );
  const a = JSON.parse(given.stdout), b = JSON.parse(inferred.stdout);
  assert.equal(b.timeframe, "1m");
  assert.equal(b.trades.length, 1);
  assert.deepEqual(b.trades, a.trades);
  assert.deepEqual(b.metrics, a.metrics);
});
