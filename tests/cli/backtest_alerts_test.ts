// `deno task backtest --alerts`: TradingView's List of trades, alert files and a bot's own alerts
// replayed with the signals strategy on stored candles; a bot's replay is compared with the bot.

import assert from "node:assert/strict";
import { startService } from "../../src/service/service.ts";
import { Db } from "../../src/store/db.ts";
import { entry, untilEvent } from "../service/service_support.ts";
import { REPLAY_START, runCli, tempDir } from "../support.ts";

const DATA = "src/cli/data.ts";
const BACKTEST = "src/cli/backtest.ts";
const FIXTURES = "tests/fixtures/tradingview";

Deno.test("backtest --alerts: a TradingView List of trades and alert files replay on stored candles", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/a.duckdb`;
  const synth = await runCli(DATA, [
    "synth",
    "--exchange",
    "okx",
    "--symbol",
    "BTC/USDT",
    "--timeframe",
    "1h",
    "--bars",
    "120",
    "--seed",
    "3",
    "--price",
    "42000",
    "--db",
    db,
  ]);
  assert.equal(synth.code, 0, synth.stderr);
  const market = ["--exchange", "okx", "--symbol", "BTC/USDT", "--timeframe", "1h", "--db", db];
  const trades = await runCli(BACKTEST, [
    "--alerts",
    `${FIXTURES}/list_of_trades.csv`,
    ...market,
    "--no-store",
    "--json",
  ]);
  assert.equal(trades.code, 0, trades.stderr);
  const result = JSON.parse(trades.stdout);
  assert.equal(result.strategy, "signals");
  assert.ok(result.trades.length >= 1, "the listed trades were replayed");
  for (const file of ["alerts.json", "alerts.csv"]) {
    const r = await runCli(BACKTEST, ["--alerts", `${FIXTURES}/${file}`, ...market, "--no-store"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Alerts: ${FIXTURES}/${file} \\(\\d+ alerts\\)`));
  }
  const wrong = await runCli(BACKTEST, ["--alerts", "nobody", ...market]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--alerts "nobody" is neither a file \(\.json or \.csv\) nor a bot/);
  const other = await runCli(BACKTEST, [
    "--alerts",
    `${FIXTURES}/alerts.csv`,
    "--strategy",
    "sma_cross",
    ...market,
  ]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /--alerts replays alerts with the signals strategy/);
});

Deno.test("backtest --alerts BOT: the alerts a bot was given, replayed and compared with the bot", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/b.duckdb`;
  const db = await Db.open(path);
  const service = await startService({
    db,
    entries: [
      await entry("tv_01", { strategy: "signals", params: { signals: [], direction: "both" } }),
    ],
    replay: { speed: 3000, startTs: REPLAY_START },
  });
  try {
    let seq = 0;
    for (const side of ["long", "exit", "short", "exit"] as const) {
      await service.supervisor.alert("tv_01", ++seq, { side, reason: `alert #${seq}: test` });
      const before = (await service.bots.page("decisions", "tv_01", { limit: 1000 })).length;
      await untilEvent(
        service.bus,
        async () =>
          (await service.bots.page("decisions", "tv_01", { limit: 1000 })).length > before,
        60_000,
        `the decision on alert ${seq}`,
      );
    }
  } finally {
    await service.close();
    await db.close();
  }
  const r = await runCli(BACKTEST, [
    "--alerts",
    "tv_01",
    "--exchange",
    "okx",
    "--symbol",
    "BTC/USDT",
    "--timeframe",
    "1m",
    "--params",
    "direction=both",
    "--db",
    path,
    "--no-store",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Alerts: bot tv_01 \(4 alerts\)/);
  assert.match(
    r.stdout,
    /Bot tv_01 with the same alerts: 2 closed trades, P&L [+-][\d.]+; this replay: 2 trades, P&L [+-][\d.]+\./,
  );
});
