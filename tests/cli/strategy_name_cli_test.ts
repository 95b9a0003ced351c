// CLI --strategy takes a strategy's name in any case or one of its aliases; a typo gets the closest.

import assert from "node:assert/strict";
import { formatCandleCsv } from "../../src/data/csv.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { scenario } from "../backtest/scenario_support.ts";
import { runCli, tempDir } from "../support.ts";

Deno.test("backtest --strategy SMA_Crossover runs sma_cross; a typo is told the closest", async () => {
  await using dir = await tempDir();
  const csv = `${dir.path}/scenario.csv`;
  await Deno.writeTextFile(csv, formatCandleCsv(scenario()));
  const args = (strategy: string) => [
    "--strategy",
    strategy,
    "--params",
    "fast_period=2,slow_period=3",
    "--csv",
    csv,
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--json",
    "--db",
    `${dir.path}/bt.duckdb`,
  ];
  const ok = await runCli("src/cli/backtest.ts", args("SMA_Crossover"));
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).strategy, "sma_cross");
  const typo = await runCli("src/cli/backtest.ts", args("sma_crosover"));
  assert.equal(typo.code, 2, typo.stderr);
  assert.match(typo.stderr, /Strategy "sma_crosover" does not exist: did you mean "sma_cross"/);
});

Deno.test("backtest rsi_macd_bb on a 1d base: says the strategy needs a base of at most 1h", async () => {
  await using dir = await tempDir();
  const csv = `${dir.path}/daily.csv`;
  await Deno.writeTextFile(
    csv,
    formatCandleCsv(synthCandles({ bars: 400, seed: 5, timeframe: "1d" })),
  );
  const res = await runCli("src/cli/backtest.ts", [
    "--strategy",
    "rsi_macd_bb",
    "--csv",
    csv,
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1d",
    "--db",
    `${dir.path}/bt.duckdb`,
  ]);
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /needs a base timeframe of at most 1h .*\(such as 15m\); 1d is longer/);
  assert.doesNotMatch(res.stderr, /Cannot resample/);
});
