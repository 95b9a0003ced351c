// The status page's read routes end to end (strategies, scanner, indicators, the bot views):
// real supervisor, replay feed and DuckDB file, through app.request().

import assert from "node:assert/strict";
import { apiClient } from "./api_client_support.ts";
import { assemble } from "../../src/assemble.ts";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { ema } from "../../src/indicators/mod.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { alphaAndBetaTrading, candlesTraded, untilEvent } from "../service/service_support.ts";

const TOKEN = "test-token-0123456789abcdef";
const HOUR = 3_600_000;

/**
 * `n` hourly candles zigzagging ±`amp` around 100 (no drift: every series has the same efficiency
 * ratio, so volatility and volume alone order the ranking), `volume` each.
 */
function zigzag(n: number, amp: number, volume: number, start = Date.UTC(2025, 0, 1)) {
  const c = allocColumns(n);
  for (let i = 0; i < n; i++) {
    c.ts[i] = start + i * HOUR;
    c.open[i] = i === 0 ? 100 : c.close[i - 1];
    c.close[i] = i % 2 === 0 ? 100 + amp : 100 - amp;
    c.high[i] = Math.max(c.open[i], c.close[i]) + amp / 2;
    c.low[i] = Math.min(c.open[i], c.close[i]) - amp / 2;
    c.volume[i] = volume;
  }
  return c;
}

const series = (symbol: string) => ({ exchange: "synthetic", symbol, timeframe: "1h" });

async function start(path: string, stored: [string, CandleColumns][] = []) {
  const db = await Db.open(path);
  const store = new CandleStore(db);
  for (const [symbol, cols] of stored) await store.upsert(series(symbol), cols);
  const service = await assemble({
    db,
    entries: await alphaAndBetaTrading(),
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 3000, startTs: REPLAY_START },
    wallNow: Date.now,
  });
  const { json } = apiClient(service.app, TOKEN);
  return {
    service,
    store,
    json,
    async close() {
      await service.close();
      await db.close();
    },
  };
}

Deno.test("strategies: every strategy with its parameters as form inputs", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/s.duckdb`);
  try {
    const { status, body } = await s.json("/api/strategies");
    assert.equal(status, 200);
    const names = body.strategies.map((x: { name: string }) => x.name);
    assert.deepEqual(names, [...names].sort());
    for (const n of ["ema_cross", "sma_cross", "rsi_macd_bb", "signals", "smc"]) {
      assert.ok(names.includes(n), n);
    }
    const ema = body.strategies.find((x: { name: string }) => x.name === "ema_cross");
    assert.equal(ema.version, "1.0.0");
    assert.match(ema.description, /Exponential moving average/);
    assert.deepEqual(ema.params, [
      {
        name: "fast_period",
        type: "integer",
        optional: false,
        default: 10,
        min: 2,
        max: 200,
        description: "Fast EMA length",
      },
      {
        name: "slow_period",
        type: "integer",
        optional: false,
        default: 30,
        min: 3,
        max: 500,
        description: "Slow EMA length",
      },
      {
        name: "direction",
        type: "enum",
        optional: false,
        default: "long",
        choices: ["long", "short", "both"],
        description: "Which entries are allowed; with long only, a bearish signal closes a long",
      },
    ]);
    const erv = body.strategies.find((x: { name: string }) => x.name === "ema_rsi_volume");
    const volumeK = erv.params.find((p: { name: string }) => p.name === "volume_k");
    assert.deepEqual([volumeK.type, volumeK.default, volumeK.min, volumeK.max], [
      "number",
      1.5,
      0.1,
      10,
    ]);
    // A list of signals has no form input: it is left out (the strategy keeps its default).
    const signals = body.strategies.find((x: { name: string }) => x.name === "signals");
    assert.deepEqual(signals.params.map((p: { name: string }) => p.name), ["direction"]);
    // Asked again: the same answer (read once).
    assert.deepEqual((await s.json("/api/strategies")).body, body);
  } finally {
    await s.close();
  }
});

Deno.test("scanner: stored candles ranked, defaults, limit, cache dropped when candles change", async () => {
  await using dir = await tempDir();
  // ZED swings most and trades most, ALP in between, MID least.
  const s = await start(`${dir.path}/k.duckdb`, [
    ["MID/USDT", zigzag(250, 1, 100)],
    ["ZED/USDT", zigzag(250, 4, 1000)],
    ["ALP/USDT", zigzag(250, 2, 500)],
  ]);
  try {
    const first = await s.json("/api/scanner");
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const b = first.body;
    assert.equal(b.timeframe, "1h", "the timeframe with the most stored series");
    assert.equal(b.exchange, null);
    assert.ok(b.timeframes.includes("1h"));
    assert.equal(typeof b.computed_at, "number");
    assert.deepEqual(b.rows.map((r: { symbol: string }) => r.symbol), [
      "ZED/USDT",
      "ALP/USDT",
      "MID/USDT",
    ]);
    assert.deepEqual(b.rows.map((r: { rank: number }) => r.rank), [1, 2, 3]);
    const top = b.rows[0];
    assert.equal(top.exchange, "synthetic");
    assert.equal(top.score, 90); // p_v 1, p_l 1, p_t 0.5 (all equal)
    assert.equal(top.candles, 200);
    assert.ok(top.yangZhang > b.rows[1].yangZhang && b.rows[1].yangZhang > b.rows[2].yangZhang);
    for (const c of b.columns) {
      assert.ok(c.key in top, `row has column ${c.key}`);
      assert.equal(typeof c.label, "string");
    }
    assert.ok(!("rvTimeframe" in top), "plain numbers only");

    const two = await s.json("/api/scanner?timeframe=1h&exchange=synthetic&limit=2");
    assert.equal(two.body.rows.length, 2);
    assert.equal(two.body.exchange, "synthetic");
    // Kept: asked again before the candles change, the same computation answers.
    const again = await s.json("/api/scanner");
    assert.equal(again.body.computed_at, b.computed_at);

    // MID now swings hardest on the heaviest volume: the kept ranking is dropped.
    await s.store.upsert(
      series("MID/USDT"),
      zigzag(250, 8, 5000, Date.UTC(2025, 0, 1) + 250 * HOUR),
    );
    const after = await s.json("/api/scanner");
    assert.equal(after.body.rows[0].symbol, "MID/USDT");

    const none = await s.json("/api/scanner?timeframe=4h");
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.rows, []);
    assert.match(none.body.note, /deno task data download/);
    const otherExchange = await s.json("/api/scanner?exchange=kraken");
    assert.deepEqual(otherExchange.body.rows, []);
    assert.deepEqual(otherExchange.body.timeframes, []);
    assert.match(otherExchange.body.note, /--exchange kraken/);

    const bad = await s.json("/api/scanner?timeframe=banana");
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /timeframe/);
    const badLimit = await s.json("/api/scanner?limit=0");
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.body.error, /limit/);
    const unknown = await s.json("/api/scanner?top=5");
    assert.equal(unknown.status, 400);
  } finally {
    await s.close();
  }
});

Deno.test("indicators: the strategy's declared lines equal the kernels' on the bot's candles", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/i.duckdb`);
  try {
    await candlesTraded(s.service.bus, "beta", 20);
    const now = await s.json("/api/bots/beta/candles?limit=5000");
    const to = now.body.ts.at(-1);
    const candles = await s.json(`/api/bots/beta/candles?to=${to}&limit=5000`);
    const ind = await s.json(`/api/bots/beta/indicators?to=${to}&limit=5000`);
    assert.equal(ind.status, 200, JSON.stringify(ind.body));
    assert.deepEqual(ind.body.ts, candles.body.ts);
    assert.equal(ind.body.total, candles.body.total);
    const close = Float64Array.from(candles.body.close as number[]);
    const expected = (n: number) => Array.from(ema(close, n), (v) => (Number.isNaN(v) ? null : v));
    assert.deepEqual(ind.body.lines, [
      { name: "ema(3)", pane: "price", values: expected(3) },
      { name: "ema(8)", pane: "price", values: expected(8) },
    ]);
    assert.equal(ind.body.lines[1].values[0], null, "warm-up is null");

    // A range and a page: the same candles as /candles, values as over the whole series.
    const from = candles.body.ts[20];
    const page = await s.json(`/api/bots/beta/indicators?from=${from}&to=${to}&offset=2&limit=5`);
    assert.deepEqual(page.body.ts, candles.body.ts.slice(22, 27));
    assert.deepEqual(page.body.lines[1].values, expected(8).slice(22, 27));
    const pageCandles = await s.json(
      `/api/bots/beta/candles?from=${from}&to=${to}&offset=2&limit=5`,
    );
    assert.deepEqual(page.body.ts, pageCandles.body.ts);
    assert.equal(page.body.total, pageCandles.body.total);

    const sma = await s.json(`/api/bots/alpha/indicators?to=${to}&limit=3`);
    assert.deepEqual(sma.body.lines.map((l: { name: string }) => l.name), ["sma(2)", "sma(5)"]);

    const bad = await s.json("/api/bots/beta/indicators?limit=0");
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /limit/);
    const missing = await s.json("/api/bots/nope/indicators");
    assert.equal(missing.status, 404);
  } finally {
    await s.close();
  }
});

interface BotView {
  bot_id: string;
  state: string;
  paused: boolean;
  warming_up: unknown;
  mode: string;
  strategy: string;
  strategy_version: string;
  symbol: string;
  timeframe: string;
  equity: number;
  pnl_today: number;
  pnl_total: number;
  trades: number;
  why: string;
  unrealised_pnl: number | null;
  position: null | {
    side: string;
    qty: number;
    entryPrice: number;
    sl?: number;
    tp?: number;
  };
}

/** What the page's bot row and bot view read, present and of the right type. */
function checkBotView(b: BotView, o: { pnlNow: boolean }) {
  assert.equal(typeof b.state, "string");
  assert.equal(typeof b.paused, "boolean");
  assert.ok("warming_up" in b);
  assert.equal(b.mode, "paper");
  assert.equal(typeof b.strategy, "string");
  assert.match(b.strategy_version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof b.symbol, "string");
  assert.equal(b.timeframe, "1m");
  assert.equal(typeof b.trades, "number");
  assert.equal(typeof b.why, "string");
  assert.equal(typeof b.pnl_today, "number");
  assert.equal(typeof b.pnl_total, "number");
  // A paper account's P&L since the start is its equity over its virtual balance (the list's
  // P&L is read in the background: it may be a moment older than its equity).
  if (o.pnlNow) {
    assert.ok(Math.abs(b.pnl_total - (b.equity - 10_000)) < 1e-6, `${b.pnl_total} ${b.equity}`);
  }
  if (b.position) {
    const p = b.position;
    assert.ok(p.side === "long" || p.side === "short");
    assert.ok(p.qty > 0 && p.entryPrice > 0);
    assert.ok(p.sl === undefined || typeof p.sl === "number");
    assert.ok(p.tp === undefined || typeof p.tp === "number");
    assert.equal(typeof b.unrealised_pnl, "number");
  }
}

Deno.test("bots: list and one bot carry what the page shows (P&L, position, why)", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/b.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 40);
    // The list never waits on the database: its P&L shows once read in the background.
    const list = await untilEvent(
      s.service.bus,
      async () => {
        const r = await s.json("/api/bots");
        return r.body.bots.every((b: BotView) => typeof b.pnl_total === "number") && r;
      },
      120_000,
      "the list's P&L",
    );
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.bots.map((b: BotView) => b.bot_id), ["alpha", "beta"]);
    for (const b of list.body.bots) checkBotView(b, { pnlNow: false });
    const one = await s.json("/api/bots/alpha");
    checkBotView(one.body, { pnlNow: true });
    assert.ok("latest_decision" in one.body);
    assert.ok(Array.isArray(one.body.open_orders));
    // The same sums as /api/pnl (its day and all periods) when nothing moved in between.
    const pnl = await s.json("/api/pnl");
    assert.ok(pnl.body.bots.every((p: { all: { pnl: number } }) => typeof p.all.pnl === "number"));

    const spec = await s.json("/api/openapi.json");
    for (const path of ["/api/strategies", "/api/scanner", "/api/bots/{id}/indicators"]) {
      assert.ok(spec.body.paths[path]?.get, path);
    }
    const scannerParams = spec.body.paths["/api/scanner"].get.parameters.map((
      p: { name: string },
    ) => p.name);
    assert.deepEqual(scannerParams, ["timeframe", "exchange", "limit"]);
  } finally {
    await s.close();
  }
});
