// A live bot on a Binance USDT-M perpetual in the service, through real ccxt: leverage, flips, restart.

import assert from "node:assert/strict";
import { exchangeClientId } from "../../src/live/client_order_id.ts";
import { Db } from "../../src/store/db.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import {
  attachFakeBinanceTrading,
  type FakeBinanceTrading,
} from "../fakes/fake_binance_trading.ts";
import { startFakeWs } from "../fakes/fake_ws.ts";
import { assertNoSecrets, tempDir } from "../support.ts";
import {
  at,
  botStatus,
  candle,
  captureLogs,
  type LiveRig,
  type LiveRun,
  startLive,
  stopLive,
} from "./live_support.ts";
import { until } from "./service_process_support.ts";
import { untilEvent } from "./service_support.ts";

const SYM = "BTC/USDT:USDT";
const KEYS = { key: "perp-key-9c41e0", secret: "perp-secret-2f8b77" };
const ENV = {
  TRADING_MODE: "live",
  TRADING_APPROVED: "true",
  TIDEWATCH_BINANCEUSDM_API_KEY: KEYS.key,
  TIDEWATCH_BINANCEUSDM_API_SECRET: KEYS.secret,
};
const BOT = {
  bot_id: "live_perp",
  strategy: "sma_cross",
  mode: "live",
  exchange: "binanceusdm",
  parameters: { fast_period: 2, slow_period: 5, symbol: "BTCUSDT", direction: "both" },
  virtual_balance: 1000,
  leverage: 3,
};

type Rig = LiveRig & { bn: FakeBinanceTrading };
type Row = Record<string, unknown>;

const status = (s: LiveRun) => botStatus(s.svc, "live_perp");
const rows = async (s: LiveRun, table: string): Promise<Row[]> => {
  const res = await s.svc.app.request(`/api/bots/live_perp/${table}?limit=100`);
  assert.equal(res.status, 200, `GET ${table}`);
  return (await res.json())[table];
};

/** The exchange's one position: side, size, leverage, margin mode. */
function exchangePosition(bn: FakeBinanceTrading): [string, number, number, string] {
  const all = bn.positions();
  assert.equal(all.length, 1, `one position at the exchange: ${JSON.stringify(all)}`);
  const p = all[0];
  return [p.side, Math.abs(p.positionAmt), p.leverage, p.marginType];
}

/** Closes candles from `i` until `done()` holds; the index of the next candle to close. */
async function trade(
  l: Rig,
  s: LiveRun,
  i: number,
  done: () => Promise<boolean>,
): Promise<number> {
  for (const end = i + 40; i < end; i++) {
    await close(l, s, i);
    if (await done()) return i + 1;
  }
  throw new Error(`nothing happened up to candle ${i}: ${JSON.stringify(await status(s))}`);
}

/** Closes candle `i` on the Binance kline stream (the fake's price moves to its close). */
async function close(l: Rig, s: LiveRun, i: number): Promise<void> {
  // a candle pushed before the bot subscribes (just after a start) would be lost
  await l.ws.until(
    () => l.ws.subscriptions({ kind: "candles" }).length > 0,
    "candle stream",
    120_000,
  );
  // Subscribed to the service's events before the push: the candle's own events wake the check.
  const seen = untilEvent(
    s.svc.bus,
    async () => (await status(s)).last_candle_ts === at(i),
    120_000,
    `candle ${i}`,
  );
  l.rest.nowMs = at(i + 1) + 1_000;
  l.bn.setPrice(SYM, candle(i).close);
  l.ws.pushCandle("binanceusdm", SYM, "1m", candle(i));
  l.ws.pushCandle("binanceusdm", SYM, "1m", candle(i + 1), { closed: false });
  await seen;
}

Deno.test("live perpetual: leverage set first, flips long/short, survives a restart", async () => {
  await using tmp = await tempDir();
  await Deno.mkdir(`${tmp.path}/bots`);
  await Deno.writeTextFile(`${tmp.path}/bots/live_perp.json`, JSON.stringify(BOT));
  const rest = await startFakeExchange({
    markets: { binanceusdm: [SYM] },
    nowMs: at(39) + 1_000,
  });
  const bn = attachFakeBinanceTrading(rest, {
    apiKey: KEYS.key,
    secret: KEYS.secret,
    balances: { USDT: 10_000 },
    leverage: 20,
  });
  rest.setCandles("binanceusdm", SYM, "1m", Array.from({ length: 40 }, (_, i) => candle(i)));
  bn.setPrice(SYM, candle(38).close);
  const ws = await startFakeWs(rest);
  const db = await Db.open(`${tmp.path}/live.duckdb`);
  const l: Rig = { rest, ws, db, dir: tmp.path, env: ENV, bn };
  const logs = captureLogs();
  try {
    let s = await startLive(l);
    let st = await until(
      async () => {
        const x = await status(s);
        return x.last_candle_ts === at(38) && x;
      },
      120_000,
      "warm-up from REST",
    ).catch(async (e) => {
      logs.print(JSON.stringify(await status(s)), logs.lines.slice(0, 20).join("\n"));
      throw e;
    });
    assert.deepEqual([st.mode, st.symbol], ["live", SYM], `"BTCUSDT" is the perpetual`);
    assert.equal(bn.orderLog.length, 0, "history only warms up: nothing sent");

    // 1. The first cross (up) opens a long, after leverage 3 and isolated margin are set.
    let i = await trade(l, s, 39, async () => (await rows(s, "fills")).length > 0);
    const placed = () => bn.orderLog.filter((o) => o.outcome === "placed");
    assert.equal(placed().length, 1, "one order for the first cross");
    const [open] = placed();
    assert.deepEqual([open.side, open.type, open.reduceOnly], ["BUY", "MARKET", false]);
    const orders = await rows(s, "orders");
    assert.equal(orders.length, 1);
    assert.equal(open.clientId, exchangeClientId(String(orders[0].client_id)));
    const sent = rest.requests.map((r) => `${r.method} ${r.path}`);
    const firstOrder = sent.indexOf("POST /fapi/v1/order");
    for (const setting of ["POST /fapi/v1/marginType", "POST /fapi/v1/leverage"]) {
      const k = sent.indexOf(setting);
      assert.ok(k >= 0 && k < firstOrder, `${setting} before the first order: ${sent}`);
    }

    // 2. The fill is stored and the exchange's position is the bot's.
    const fills = await rows(s, "fills");
    assert.equal(fills.length, 1, "the exchange's fill is stored");
    assert.deepEqual([fills[0].side, fills[0].qty], ["buy", bn.fills()[0].qty]);
    st = await status(s);
    assert.deepEqual([st.position?.side, st.position?.leverage], ["long", 3]);
    const long = st.position!.qty;
    assert.deepEqual(exchangePosition(bn), ["long", long, 3, "isolated"]);
    const [stored] = await rows(s, "positions");
    assert.deepEqual([stored.side, stored.qty], ["long", long]);

    // 3. The cross down flips: a reduce-only close of the long, then a sell that opens a short.
    i = await trade(l, s, i, async () => (await status(s)).position?.side === "short");
    const flip = placed().slice(1);
    assert.deepEqual(flip.map((o) => [o.side, o.reduceOnly, Number(o.quantity)]), [
      ["SELL", true, long],
      ["SELL", false, (await status(s)).position!.qty],
    ]);
    const decided = (await rows(s, "decisions")).find((d) => d.outcome === "order")!;
    assert.equal(decided.code, "flip");
    const flipIds = (decided.orders as string[]).map(exchangeClientId);
    assert.deepEqual(
      flip.map((o) => o.clientId),
      flipIds,
      "close then open, ids from the decision",
    );
    st = await status(s);
    const short = st.position!.qty;
    assert.deepEqual(exchangePosition(bn), ["short", short, 3, "isolated"]);
    assert.equal(bn.positions()[0].positionAmt, -short);
    assert.equal((await rows(s, "trades")).length, 1, "the long is one closed trade");

    // 4. Restart: nothing is sent, the short is intact on both sides, trading goes on.
    await stopLive(s);
    const sentBefore = bn.orderLog.length;
    s = await startLive(l);
    st = await untilEvent(
      s.svc.bus,
      async () => {
        const x = await status(s);
        return x.state === "running" && x.last_candle_ts === at(i - 1) && x;
      },
      120_000,
      "the restarted bot",
    );
    assert.equal(bn.orderLog.length, sentBefore, "nothing sent at restart");
    assert.deepEqual([st.position?.side, st.position?.qty, st.position?.leverage], [
      "short",
      short,
      3,
    ]);
    assert.deepEqual(exchangePosition(bn), ["short", short, 3, "isolated"]);
    // A dropped stream is logged and followed again (so the log has lines to check for keys).
    // The restarted bot's stream must be up first, or there is nothing to drop (a loaded run).
    await ws.until(
      () => ws.subscriptions({ kind: "candles" }).length === 1,
      "subscribed after the restart",
      60_000,
    );
    assert.ok(ws.dropAll() > 0, "a stream was dropped");
    // (a network failure: told once as the exchange unreachable; anything else as "market feed")
    const dropLogged = () =>
      Promise.resolve(
        logs.lines.some((x) => x.includes("exchange unreachable") || x.includes("market feed")),
      );
    await until(dropLogged, 120_000, "the dropped stream logged");
    await ws.until(
      () => ws.subscriptions({ kind: "candles" }).length === 1,
      "resubscribed",
      120_000,
    );
    i = await trade(l, s, i, async () => (await status(s)).position?.side === "long");
    const back = placed().slice(3);
    assert.deepEqual(back.map((o) => [o.side, o.reduceOnly]), [["BUY", true], ["BUY", false]]);
    assert.equal(Number(back[0].quantity), short, "the close buys back exactly the short");
    assert.deepEqual(exchangePosition(bn), [
      "long",
      (await status(s)).position!.qty,
      3,
      "isolated",
    ]);
    const ids = bn.orderLog.map((o) => o.clientId);
    assert.equal(new Set(ids).size, ids.length, "no client id sent twice");
    assert.equal(bn.orderLog.length, placed().length, "every order was accepted");
    const trades = await rows(s, "trades");
    assert.deepEqual(trades.map((t) => t.side), ["short", "long"], "two round trips, newest first");
    await stopLive(s);
  } finally {
    logs.restore();
    await ws.close();
    await rest.close();
    await db.close();
  }
  // 5. No key or secret in any line the service logged.
  for (const line of logs.lines) assertNoSecrets(line, KEYS);
});
