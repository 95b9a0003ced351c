// `deno task scan` as a user runs it: fetch from the fake exchange, a table, CSV, JSON, --offline.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { resample } from "../../src/data/resample.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import { runCli, tempDir } from "../support.ts";

const CLI = "src/cli/scan.ts";
const T0 = Date.UTC(2024, 0, 1);
const NOW = T0 + 10 * 86_400_000;

Deno.test("scan CLI: downloads, prints a ranked table, writes CSV; --offline --json reuses the cache", async () => {
  const fake = await startFakeExchange({
    nowMs: NOW,
    markets: { okx: ["BTC/USDT", "ETH/USDT", "SOL/USDT", "ETH/BTC"] },
  });
  await using dir = await tempDir();
  try {
    for (const [i, symbol] of ["BTC/USDT", "ETH/USDT", "SOL/USDT"].entries()) {
      const hourly = synthCandles({
        bars: 240,
        timeframe: "1h",
        seed: symbol,
        start: T0,
        annualVol: 0.4 + i * 0.4,
        startPrice: [40000, 2000, 100][i],
      });
      fake.setCandles("okx", symbol, "1h", toRows(hourly));
      fake.setCandles("okx", symbol, "4h", toRows(resample(hourly, "1h", "4h").candles));
    }
    const db = `${dir.path}/scan.duckdb`;
    const csv = `${dir.path}/scan.csv`;
    const env = { TIDEWATCH_OKX_URL: fake.url };
    const base = ["--exchange", "okx", "--quote", "USDT", "--timeframes", "1h,4h", "--db", db];
    const r = await runCli(CLI, [
      ...base,
      "--top",
      "2",
      "--window",
      "50",
      "--at",
      "2024-01-11T00:00:00Z",
      "--csv",
      csv,
    ], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /scan okx .*100\.0% 6\/6 series .*candles downloaded/);
    assert.match(
      r.stdout,
      /okx: 3 symbols x 2 timeframes, 50-candle windows, windows ending 2024-01-11/,
    );
    const lines = r.stdout.trim().split("\n");
    assert.match(
      lines[1],
      /^#\s+tf\s+symbol\s+score\s+yz%\s+cc%\s+park%\s+gk%\s+rs%\s+rv%\s+atr%\s+adx\s+er\s+chg%\s+qvol\/day\s+candles$/,
    );
    const table = lines.slice(2);
    assert.equal(table.length, 4); // top 2 of each timeframe
    assert.deepEqual(table.map((l) => l.split(/\s+/).slice(0, 2).join(" ")), [
      "1 1h",
      "2 1h",
      "1 4h",
      "2 4h",
    ]);
    for (const l of table) assert.match(l, /\/USDT\s+\d+\.\d\s+\d+\.\d/);
    // Aligned: the header and every row end at the same column.
    assert.ok(table.every((l) => l.length === lines[1].length), "aligned columns");

    const text = await Deno.readTextFile(csv);
    const [header, ...rows] = text.trim().split("\n");
    assert.ok(
      header.startsWith("rank,timeframe,symbol,score,pVolatility,pLiquidity,pTrend,yangZhang"),
    );
    assert.ok(header.endsWith(",firstTime,lastTime"));
    assert.equal(rows.length, 4);
    assert.match(rows[0], /^1,1h,[A-Z]+\/USDT,[\d.]+,/);
    assert.match(rows[0], /,2024-01-08T22:00:00\.000Z,2024-01-10T23:00:00\.000Z$/);

    fake.requests.length = 0;
    const off = await runCli(CLI, [...base, "--offline", "--json", "--window", "50"], env);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(fake.requests.length, 0, "no request in --offline mode");
    const json = JSON.parse(off.stdout);
    assert.equal(json.exchange, "okx");
    assert.equal(json.rows.length, 6);
    assert.deepEqual(json.skipped, []);
    const top = json.rows[0];
    for (
      const key of [
        "yangZhang",
        "parkinson",
        "garmanKlass",
        "rogersSatchell",
        "closeToClose",
        "atrPct",
        "adx",
        "efficiency",
        "quoteVolumePerDay",
        "score",
        "pVolatility",
        "pLiquidity",
        "pTrend",
      ]
    ) {
      assert.equal(typeof top[key], "number", key);
    }
    assert.equal(top.realized, null); // no lower-timeframe candles: NaN becomes null in JSON
  } finally {
    await fake.close();
  }
});

Deno.test("scan CLI: help, flag errors and an empty store", async () => {
  await using dir = await tempDir();
  const help = await runCli(CLI, ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--min-quote-volume X/);
  assert.match(help.stdout, /--offline/);
  const bad = await runCli(CLI, ["--exchange", "okx", "--type", "futures", "--offline"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--type "futures" is not a market type/);
  const weights = await runCli(CLI, ["--exchange", "okx", "--weights", "vol=x", "--offline"]);
  assert.equal(weights.code, 2);
  assert.match(weights.stderr, /--weights "vol=x" is not understood/);
  const empty = await runCli(CLI, [
    "--exchange",
    "okx",
    "--offline",
    "--db",
    `${dir.path}/e.duckdb`,
  ]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /No stored okx candles match: run without --offline/);
});
