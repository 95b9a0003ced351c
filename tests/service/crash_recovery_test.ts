// SIGKILL mid-trading, restart: no decision lost, nothing sent twice, same bots, same positions.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { BotStore } from "../../src/store/bot_store.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { type ServiceProcess, spawnService } from "./service_process_support.ts";

const TOKEN = "crash-test-token-0123456789";

const BOTS = [
  {
    bot_id: "fast_sma",
    strategy: "sma_cross",
    parameters: { fast_period: 2, slow_period: 5, direction: "both", symbol: "BTC-USDT" },
    virtual_balance: 10000,
  },
  {
    bot_id: "eth_ema",
    strategy: "ema_cross",
    symbol: "ETH/USDT",
    parameters: { fast_period: 3, slow_period: 8, direction: "both" },
  },
  {
    bot_id: "idle",
    strategy: "sma_cross",
    symbol: "SOL-USDT",
    parameters: {},
  },
];

type Bots = { bots: { bot_id: string; state: string; candles_seen: number; trades: number }[] };

Deno.test("SIGKILL mid-trading: the restarted service continues exactly where it was", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/bots`);
  for (const b of BOTS) {
    await Deno.writeTextFile(`${dir.path}/bots/${b.bot_id}.json`, JSON.stringify(b));
  }
  const db = `${dir.path}/svc.duckdb`;
  const env = { TIDEWATCH_API_TOKEN: TOKEN, TIDEWATCH_DATA_DIR: dir.path };
  const args = ["--db", db, "--configs", `${dir.path}/bots`, "--replay", "--speed", "3000"];

  const bots = async (s: ServiceProcess) => (await s.get("/api/bots")).body as unknown as Bots;
  const bot = (b: Bots, id: string) => b.bots.find((x) => x.bot_id === id)!;

  const first = await spawnService(args, env, TOKEN);
  let killedAt: Bots;
  try {
    assert.equal((await first.post("/api/bots/idle/stop")).status, 200);
    // Asked again on each trade the service announces (server-sent events), never on a timer.
    killedAt = await first.when(
      ["bot.trade"],
      async () => {
        const b = await bots(first);
        return bot(b, "fast_sma").trades >= 3 && b;
      },
      240_000,
      "fast_sma to close 3 trades",
    );
  } finally {
    first.child.kill("SIGKILL");
    await first.stop();
  }

  const second = await spawnService(args, env, TOKEN);
  try {
    const seenAtKill = bot(killedAt, "fast_sma").candles_seen;
    const after = await second.when(
      ["bot.equity", "bot.trade"],
      async () => {
        const b = await bots(second);
        // eth_ema crosses less often: two round trips make the comparison below meaningful
        return bot(b, "fast_sma").candles_seen > seenAtKill + 20 && bot(b, "eth_ema").trades >= 2 &&
          b;
      },
      240_000,
      "fast_sma to go on after the restart",
    );
    const states = Object.fromEntries(after.bots.map((b) => [b.bot_id, b.state]));
    assert.deepEqual(states, { eth_ema: "running", fast_sma: "running", idle: "stopped" });
  } finally {
    second.child.kill("SIGTERM");
    await second.child.status;
    await second.stop();
  }

  // The records are exactly those of one uninterrupted run over the same candles.
  const store = await Db.open(db);
  try {
    const bots = new BotStore(store);
    const candles = new CandleStore(store);
    for (const id of ["fast_sma", "eth_ema"]) {
      const events = await bots.events(id);
      const start = events.find((e) => e.kind === "start")!;
      const lastTs = await bots.lastRecorded(id);
      const spec = BOTS.find((b) => b.bot_id === id)!;
      const symbol = id === "fast_sma" ? "BTC/USDT" : "ETH/USDT";
      const cols = await candles.read({ exchange: "okx", symbol, timeframe: "1m" }, {
        from: Number(start.payload.historyFrom),
        to: lastTs + 1,
      });
      const { symbol: _s, ...params } = spec.parameters as Record<string, unknown>;
      const bt = await backtest({
        strategy: spec.strategy,
        symbol,
        timeframe: "1m",
        params,
        cash: 10000,
        fee: 0.001,
        slippageBps: 2,
        warmupUntil: Number(start.payload.tradeAfter),
      }, cols);
      const rows = (await bots.page("decisions", id, { limit: 100_000 })).reverse();
      assert.ok(rows.length >= 3, `${id} made decisions (${rows.length})`);
      assert.deepEqual(
        rows.map((r) => [r.ts, r.code, r.reason]),
        bt.decisions.map((d) => [d.ts, d.code, d.reason]),
        `${id}: decisions equal those of an uninterrupted backtest`,
      );
      const trades = await bots.trades(id);
      assert.deepEqual(
        JSON.parse(JSON.stringify(trades)),
        JSON.parse(JSON.stringify(bt.trades)),
        `${id}: trades equal`,
      );
      const orders = await bots.page("orders", id, { limit: 100_000 });
      const ids = orders.map((o) => o.client_id);
      assert.equal(new Set(ids).size, ids.length, "no order recorded twice");
      // The backtest names its orders "bt-..."; the bot prefixes its id.
      const sent = bt.decisions.flatMap((d) => d.orders).map((o) => o.replace(/^bt-/, `${id}-`));
      for (const o of sent) assert.ok(ids.includes(o), `order ${o} recorded`);
    }
  } finally {
    await store.close();
  }
});
