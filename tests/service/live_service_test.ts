// A live bot in the service, through real ccxt against the fake OKX: orders, restart, reconcile.

import { runDeno } from "../child_process_support.ts";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { exchangeClientId } from "../../src/live/client_order_id.ts";
import { botEntries } from "../../src/service/bot_entries.ts";
import type { Assembled as Service } from "../../src/assemble.ts";
import { BotStore } from "../../src/store/bot_store.ts";
import { Db } from "../../src/store/db.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import { attachFakeOkxTrading, type FakeOkxTrading } from "../fakes/fake_okx_trading.ts";
import { startFakeWs } from "../fakes/fake_ws.ts";
import { assertNoSecrets, tempDir } from "../support.ts";
import {
  at,
  botStatus,
  candle,
  captureLogs,
  type LiveRig,
  startLive as start,
  stopLive as stop,
  TOKEN,
} from "./live_support.ts";
import { until } from "./service_process_support.ts";
import { untilEvent } from "./service_support.ts";

const KEYS = { key: "live-key-5b2e", secret: "live-secret-77ad10", pass: "live-pass-3k" };
const ENV = {
  TRADING_MODE: "live",
  TRADING_APPROVED: "true",
  TIDEWATCH_OKX_API_KEY: KEYS.key,
  TIDEWATCH_OKX_API_SECRET: KEYS.secret,
  TIDEWATCH_OKX_API_PASSWORD: KEYS.pass,
};
const BOT = {
  bot_id: "live_btc",
  strategy: "sma_cross",
  mode: "live",
  parameters: { fast_period: 2, slow_period: 5, symbol: "BTC-USDT" },
  virtual_balance: 1000,
};

type Live = LiveRig & { okx: FakeOkxTrading };

const status = (svc: Service) => botStatus(svc, "live_btc");

/** Closes candle `i` on the websocket (the fake's price moves to its close) and waits for it. */
async function close(l: Live, svc: Service, i: number): Promise<void> {
  // a candle pushed before the bot subscribes (just after a start) would be lost
  await l.ws.until(
    () => l.ws.subscriptions({ kind: "candles" }).length > 0,
    "candle stream",
    120_000,
  );
  // Subscribed to the service's events before the push: the candle's own events wake the check.
  const seen = untilEvent(
    svc.bus,
    async () => (await status(svc)).last_candle_ts === at(i),
    120_000,
    `candle ${i}`,
  );
  l.rest.nowMs = at(i + 1) + 1_000;
  l.okx.setPrice("BTC/USDT", candle(i).close);
  l.ws.pushCandle("okx", "BTC/USDT", "1m", candle(i));
  l.ws.pushCandle("okx", "BTC/USDT", "1m", candle(i + 1), { closed: false });
  await seen;
}

/**
 * Runs `fn` on a live OKX rig for `bot`: the fakes with 40 candles of history (the price at the
 * 39th close), the DuckDB file and the bots folder; then closes them and checks that no key
 * reached any log line.
 */
async function withOkxBot(
  bot: Record<string, unknown>,
  fn: (l: Live, logs: ReturnType<typeof captureLogs>) => Promise<void>,
): Promise<void> {
  await using tmp = await tempDir();
  await Deno.mkdir(`${tmp.path}/bots`);
  await Deno.writeTextFile(`${tmp.path}/bots/live_btc.json`, JSON.stringify(bot));
  const rest = await startFakeExchange({ markets: { okx: ["BTC/USDT"] }, nowMs: at(39) + 1_000 });
  const okx = attachFakeOkxTrading(rest, {
    apiKey: KEYS.key,
    secret: KEYS.secret,
    passphrase: KEYS.pass,
    balances: { USDT: 10_000 },
  });
  rest.setCandles("okx", "BTC/USDT", "1m", Array.from({ length: 40 }, (_, i) => candle(i)));
  okx.setPrice("BTC/USDT", candle(38).close);
  const ws = await startFakeWs(rest);
  const db = await Db.open(`${tmp.path}/live.duckdb`);
  const logs = captureLogs();
  try {
    await fn({ rest, okx, ws, db, dir: tmp.path, env: ENV }, logs);
  } finally {
    logs.restore();
    await ws.close();
    await rest.close();
    await db.close();
  }
  for (const line of logs.lines) assertNoSecrets(line, KEYS);
}

Deno.test("live bot: orders reach the exchange once, survive a restart, reconcile", async () => {
  await withOkxBot(BOT, async (l, logs) => {
    const { rest, okx, db } = l;
    let s = await start(l);
    let st = await until(
      async () => {
        const x = await status(s.svc);
        return x.last_candle_ts === at(38) && x;
      },
      120_000,
      "warm-up from REST",
    ).catch(async (e) => {
      logs.print(JSON.stringify(await status(s.svc)), logs.lines.slice(0, 10).join("\n"));
      throw e;
    });
    assert.equal(st.mode, "live");
    assert.equal(okx.orderLog.length, 0, "history only warms up: nothing sent");

    // Trade on new candles until a buy has filled and the bot holds BTC.
    // The position shows as soon as the fill is polled; the engine (and the fills table) learn
    // of it on the next candle, as with the simulated broker.
    const bots = new BotStore(db);
    const filled = async () => (await bots.page("fills", "live_btc", { limit: 1 })).length > 0;
    let i = 39;
    for (; i < 70 && !(await filled()); i++) await close(l, s.svc, i);
    st = await status(s.svc);
    assert.ok(st.position, `a long after candle ${i - 1}: ${JSON.stringify(st)}`);
    const buys = okx.orderLog.filter((o) => o.side === "buy" && o.outcome === "placed");
    assert.equal(buys.length, 1);
    const orders = await bots.page("orders", "live_btc", { limit: 100 });
    assert.equal(orders.length, 1);
    assert.equal(buys[0].clOrdId, exchangeClientId(String(orders[0].client_id)));
    const fills = await bots.page("fills", "live_btc", { limit: 100 });
    assert.equal(fills.length, 1, "the exchange's fill is stored");
    assert.equal(Number(fills[0].qty), okx.fills()[0] ? Number(okx.fills()[0].fillSz) : NaN);
    const journal = await db.all("SELECT client_id, status FROM live_orders");
    assert.deepEqual(journal.map((r) => [r.client_id, r.status]), [[
      orders[0].client_id,
      "filled",
    ]]);
    assert.ok(st.order_latency_ms && st.order_latency_ms.n >= 1);
    const held = st.position!.qty;

    // Restart: the position is read back, nothing is sent again, trading goes on.
    await stop(s);
    const placedBefore = okx.orderLog.length;
    s = await start(l);
    st = await untilEvent(
      s.svc.bus,
      async () => {
        const x = await status(s.svc);
        return x.state === "running" && x.last_candle_ts === at(i - 1) && x;
      },
      120_000,
      "the restarted bot",
    );
    assert.equal(okx.orderLog.length, placedBefore, "nothing sent at restart");
    assert.equal(st.position?.qty, held, "position intact");

    // The next bearish cross sells exactly what is held, once.
    const traded = async () => (await bots.trades("live_btc")).length > 0;
    for (; i < 110 && !(await traded()); i++) await close(l, s.svc, i);
    assert.equal((await status(s.svc)).position, null, "flat again");
    const sells = okx.orderLog.filter((o) => o.side === "sell" && o.outcome === "placed");
    assert.equal(sells.length, 1);
    const ids = okx.orderLog.map((o) => o.clOrdId);
    assert.equal(new Set(ids).size, ids.length, "no client id sent twice");
    const trades = await bots.trades("live_btc");
    assert.equal(trades.length, 1, "the round trip is one stored trade");

    // A manual order goes through the same account and is audited.
    const res = await s.svc.app.request("/api/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        bot_id: "live_btc",
        side: "buy",
        type: "limit",
        qty: 0.001,
        price: 30000,
      }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.accepted, true);
    assert.equal(body.open, true, "a limit far below the market rests");
    assert.ok(okx.orders().some((o) => o.clientId === exchangeClientId(body.client_id)));
    const audit = await (await s.svc.app.request("/api/audit")).json();
    assert.ok(JSON.stringify(audit).includes("manual_order"));
    await stop(s);

    // It fills while the service is down: the restart finds the fill at the exchange, books it
    // and stores it (fill, position, correlation id of its order) without sending anything.
    rest.nowMs = rest.nowMs + 30_000;
    okx.fillOrder(exchangeClientId(body.client_id));
    const placedAway = okx.orderLog.length;
    s = await start(l);
    const stored = await untilEvent(
      s.svc.bus,
      async () => {
        const rows = await bots.page("fills", "live_btc", { limit: 100 });
        return rows.some((r) => r.client_id === body.client_id) && rows;
      },
      120_000,
      "the fill made while away",
    );
    const away = stored.find((r) => r.client_id === body.client_id)!;
    // every fill once, in order: the sell polled after its candle's records (the crash window)
    // is stored too
    assert.deepEqual(
      stored.map((r) => [Number(r.seq), r.side]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [[0, "buy"], [1, "sell"], [2, "buy"]],
    );
    assert.equal(Number(away.qty), 0.001);
    assert.equal(Number(away.price), 30_000);
    const [manualOrder] = (await bots.page("orders", "live_btc", { limit: 100 })).filter((o) =>
      o.client_id === body.client_id
    );
    assert.equal(away.correlation_id, manualOrder.correlation_id);
    const positions = await bots.page("positions", "live_btc", { limit: 100 });
    const last = positions.find((p) => Number(p.seq) === Number(away.seq))!;
    // the position holds the 0.001 bought less the fee OKX takes in BTC
    const pos = (await status(s.svc)).position!;
    assert.ok(pos.qty > 0.00099 && pos.qty < 0.001, JSON.stringify(pos));
    assert.deepEqual([last.side, Number(last.qty)], ["long", pos.qty]);
    assert.equal(okx.orderLog.length, placedAway, "nothing sent at restart");
    await stop(s);
  });
});

Deno.test("live bot: an entry waiting for confirmation survives a restart and is sent once confirmed", async () => {
  const bot = { ...BOT, require_confirmation: true, confirmation_ttl_s: 3600 };
  await withOkxBot(bot, async (l) => {
    const { okx } = l;
    let s = await start(l);
    await until(
      async () => (await status(s.svc)).last_candle_ts === at(38),
      120_000,
      "warm-up",
    );
    const waiting = async (
      svc: Service,
    ) => ((await (await svc.app.request("/api/pending?status=pending")).json()).pending as {
      id: string;
      client_id: string;
    }[]);
    let i = 39;
    for (; i < 70 && (await waiting(s.svc)).length === 0; i++) await close(l, s.svc, i);
    const [held] = await waiting(s.svc);
    assert.ok(held, "a buy waits for confirmation");
    assert.equal(okx.orderLog.length, 0, "nothing is sent before it is confirmed");

    await stop(s);
    s = await start(l);
    await untilEvent(
      s.svc.bus,
      async () => (await status(s.svc)).state === "running",
      120_000,
      "the restarted bot",
    );
    assert.deepEqual((await waiting(s.svc)).map((p) => p.id), [held.id], "still waiting");
    const res = await s.svc.app.request(`/api/pending/${encodeURIComponent(held.id)}/confirm`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).status, "confirmed");
    await s.accounts.close(); // flushes the broker: every send is done
    assert.equal(okx.placed(exchangeClientId(held.client_id)), 1, "sent once, as confirmed");
    assert.equal(okx.orderLog.length, 1);
    await s.svc.close();
  });
});

Deno.test("live bots: refused without approval (naming what is missing) and with --replay", async () => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(`${tmp.path}/b.json`, JSON.stringify(BOT));
  const { TRADING_APPROVED: _a, ...notApproved } = ENV;
  await assert.rejects(
    () => botEntries(tmp.path, notApproved),
    (e: Error) =>
      e instanceof ConfigError && /live_btc/.test(e.message) &&
      /TRADING_APPROVED/.test(e.message) && !e.message.includes(KEYS.secret),
  );
  const { TIDEWATCH_OKX_API_SECRET: _s, ...noSecret } = ENV;
  await assert.rejects(
    () => botEntries(tmp.path, noSecret),
    /TIDEWATCH_OKX_API_SECRET/,
  );
  await Deno.writeTextFile(`${tmp.path}/c.json`, JSON.stringify({ ...BOT, bot_id: "live_two" }));
  await assert.rejects(() => botEntries(tmp.path, ENV), /one live bot a symbol and exchange/);
  await Deno.remove(`${tmp.path}/c.json`);
  const entries = await botEntries(tmp.path, ENV);
  assert.equal(entries[0].spec.mode, "live");
  const out = await runDeno(
    ["run", "-A", "src/main.ts", "--port", "0", "--replay", "--configs", tmp.path],
    { env: { ...ENV, TIDEWATCH_DATA_DIR: tmp.path, TIDEWATCH_API_TOKEN: TOKEN } },
  );
  const err = out.stderr;
  assert.notEqual(out.code, 0);
  assert.match(err, /real orders must never follow them/);
  assert.ok(!err.includes(KEYS.secret));
});
