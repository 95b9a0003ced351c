// A live bot in the real service (a child process) killed with SIGKILL mid-trading, restarted.

import assert from "node:assert/strict";
import type { Candle } from "../../src/core/candles.ts";
import { exchangeClientId } from "../../src/live/client_order_id.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import { attachFakeOkxTrading } from "../fakes/fake_okx_trading.ts";
import { startFakeWs } from "../fakes/fake_ws.ts";
import { assertNoSecrets, tempDir } from "../support.ts";
import { candle as zigzag, MIN } from "./live_support.ts";
import { type ServiceProcess, spawnService, until } from "./service_process_support.ts";

const TOKEN = "live-crash-token-0123456789";
const KEYS = { key: "crash-key-9f31", secret: "crash-secret-c0ffee42", pass: "crash-pass-7q" };
const BOT = {
  bot_id: "live_btc",
  strategy: "sma_cross",
  mode: "live",
  parameters: { fast_period: 2, slow_period: 5, direction: "long", symbol: "BTC-USDT" },
  virtual_balance: 1000,
};
/** Candles 0..WARM-1 have closed by the wall clock: the REST history the bot warms up on. */
const WARM = 36;
// The child runs on the wall clock and trades only candles after the last one closed when it
// started (bot.ts `#tradeAfter`), so the traded candles lie ahead of the wall clock: the feed
// takes them as closed on the stream's evidence (a later candle), as it does in real time.
// Candle WARM is the minute the child starts in: T0 is set when the test starts (see
// `startEarlyInAMinute`), not when this file loads, which under a loaded parallel run was long
// enough before for that minute to have closed (the child then took candle WARM as history).
let T0 = NaN;
const at = (i: number) => T0 + i * MIN;

/** Sets T0 early in a minute (waiting for the next one when less than 20 s are left). */
async function startEarlyInAMinute(): Promise<void> {
  const left = MIN - (Date.now() % MIN);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 100));
  T0 = Math.floor(Date.now() / MIN) * MIN - WARM * MIN;
}
const candle = (i: number): Candle => ({ ...zigzag(i), ts: at(i) });

type Row = Record<string, unknown>;
type Status = {
  state: string;
  mode: string;
  last_candle_ts: number | null;
  position: { side: string; qty: number } | null;
};

Deno.test("live bot: SIGKILL right after its buy reaches OKX, restart: nothing twice, nothing lost", async () => {
  await startEarlyInAMinute();
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/bots`);
  await Deno.writeTextFile(`${dir.path}/bots/live_btc.json`, JSON.stringify(BOT));
  const rest = await startFakeExchange({ markets: { okx: ["BTC/USDT"] } }); // nowMs: wall clock
  const okx = attachFakeOkxTrading(rest, {
    apiKey: KEYS.key,
    secret: KEYS.secret,
    passphrase: KEYS.pass,
    balances: { USDT: 10_000 },
  });
  rest.setCandles("okx", "BTC/USDT", "1m", Array.from({ length: WARM }, (_, i) => candle(i)));
  okx.setPrice("BTC/USDT", candle(WARM - 1).close);
  const ws = await startFakeWs(rest);
  const env = {
    TIDEWATCH_API_TOKEN: TOKEN,
    TIDEWATCH_DATA_DIR: dir.path,
    TIDEWATCH_OKX_URL: rest.url,
    TIDEWATCH_OKX_WS_URL: ws.url,
    TRADING_MODE: "live",
    TRADING_APPROVED: "true",
    TIDEWATCH_OKX_API_KEY: KEYS.key,
    TIDEWATCH_OKX_API_SECRET: KEYS.secret,
    TIDEWATCH_OKX_API_PASSWORD: KEYS.pass,
  };
  const args = ["--db", `${dir.path}/live.duckdb`, "--configs", `${dir.path}/bots`];
  const output: string[] = [];
  const children: ServiceProcess[] = [];
  const spawn = async () => {
    const s = await spawnService(args, env, TOKEN);
    children.push(s);
    return s;
  };
  const rows = async (s: ServiceProcess, table: string): Promise<Row[]> =>
    (await s.get(`/api/bots/live_btc/${table}?limit=5000`)).body[table] as Row[];
  const status = async (s: ServiceProcess) =>
    (await s.get("/api/bots/live_btc")).body as unknown as Status;
  const placed = (side: string) =>
    okx.orderLog.filter((o) => o.side === side && o.outcome === "placed");
  /** Closes candle `i` on the websocket (the fake's price moves to its close). */
  const push = (i: number) => {
    rest.nowMs = at(i + 1) + 1_000; // REST serves what the stream showed: a back-fill agrees
    okx.setPrice("BTC/USDT", candle(i).close);
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(i), { closed: true });
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(i + 1), { closed: false });
  };
  /**
   * Waits for candle `i`'s records (its equity row), or until `stop()` holds: asked on each of
   * the bot's server-sent events (orders, fills, equity...), never on a timer.
   */
  const processed = async (s: ServiceProcess, i: number, stop = () => false) => {
    await s.when(
      ["bot."],
      async () => {
        if (stop()) return true;
        const [eq] = await rows(s, "equity");
        return eq !== undefined && Number(eq.ts) === at(i);
      },
      120_000,
      `candle ${i}`,
    );
  };

  /** Waits until the child streams candles: a candle pushed before that would be lost. */
  const streaming = () =>
    ws.until(() => ws.subscriptions({ kind: "candles" }).length > 0, "candle stream", 120_000);

  try {
    const first = await spawn();
    // The REST warm-up announces nothing: this one wait polls.
    await until(
      async () => (await status(first)).last_candle_ts === at(WARM - 1),
      120_000,
      "the warm-up from REST",
    ).catch((e) => {
      throw new Error(`${e.message}\nstderr: ${first.stderr()}\nstdout: ${first.stdout()}`);
    });
    assert.equal(okx.orderLog.length, 0, "history only warms up: nothing sent");
    await streaming();

    // Trade until the first buy reaches the exchange, then kill the child at once.
    let before: Row[] = [];
    let i = WARM;
    for (; i < WARM + 40 && placed("buy").length === 0; i++) {
      push(i);
      await processed(first, i, () => placed("buy").length > 0);
      if (placed("buy").length === 0) before = await rows(first, "decisions");
    }
    const last = i - 1; // the candle that caused the buy
    first.child.kill("SIGKILL");
    const killed = await first.child.status;
    assert.equal(killed.signal, "SIGKILL");
    const [buy] = placed("buy");
    assert.ok(buy, "a buy was sent before the kill");
    assert.ok(before.length > 0, `decisions were stored before the kill (buy after ${last})`);
    const sentBefore = okx.orderLog.length;

    // 1. The same bot runs again, live, on the candles it had.
    const second = await spawn();
    const st = await second.when(
      ["bot."],
      async () => {
        const x = await status(second);
        return x.state === "running" && x.last_candle_ts === at(last) && x;
      },
      120_000,
      "the restarted bot",
    ).catch((e) => {
      throw new Error(`${e.message}\nstderr: ${second.stderr()}`);
    });
    const list = (await second.get("/api/bots")).body.bots as Row[];
    assert.deepEqual(list.map((b) => [b.bot_id, b.state, b.mode]), [[
      "live_btc",
      "running",
      "live",
    ]]);
    assert.equal(st.mode, "live");

    // 2. Nothing sent at restart; the buy's client id was placed once.
    assert.equal(okx.orderLog.length, sentBefore, "nothing sent at restart");
    const decisions = await rows(second, "decisions");
    const causes = decisions.filter((d) => (d.orders as string[]).length > 0);
    assert.equal(causes.length, 1, `the buy's decision is stored once: ${JSON.stringify(causes)}`);
    const [cause] = causes;
    assert.equal(Number(cause.ts), at(last + 1), "decided at the close of the candle before");
    const clientId = (cause.orders as string[])[0];
    assert.equal(buy.clOrdId, exchangeClientId(clientId));
    assert.equal(okx.placed(exchangeClientId(clientId)), 1);

    // 3. The position is what the account holds from the buy (net of the fee OKX takes in BTC),
    // and its fill is stored once, under the decision's correlation id.
    const btc = okx.balance("BTC").total;
    const fill = okx.fills()[0];
    assert.ok(btc > 0 && btc < Number(fill.fillSz), `held ${btc} of ${fill.fillSz}`);
    assert.equal(st.position?.side, "long");
    // the same figure up to float rounding (the ledger subtracts the fee from the fill)
    assert.ok(Math.abs(st.position.qty - btc) < 1e-12, `position ${st.position.qty}, held ${btc}`);
    const fills = await second.when(
      ["bot."],
      async () => {
        const f = await rows(second, "fills");
        return f.length > 0 && f;
      },
      120_000,
      "the buy's fill stored",
    );
    assert.deepEqual(
      fills.map((f) => [f.client_id, f.side, Number(f.qty), f.correlation_id]),
      [[clientId, "buy", Number(fill.fillSz), cause.correlation_id]],
    );

    // 4. No decision lost: every one stored before the kill is still there.
    const ids = new Set(decisions.map((d) => d.correlation_id));
    for (const d of before) assert.ok(ids.has(d.correlation_id), `kept ${d.correlation_id}`);
    assert.equal(decisions.length, new Set(ids).size, "no decision stored twice");

    // 5. Trading goes on: the bearish cross sells once; every client id is sent once.
    await streaming();
    for (i = last + 1; i < last + 60 && placed("sell").length === 0; i++) {
      push(i);
      await processed(second, i);
    }
    const trades = await second.when(
      ["bot."],
      async () => {
        const t = await rows(second, "trades");
        return t.length > 0 && t;
      },
      120_000,
      "the round trip stored",
    );
    assert.equal(placed("sell").length, 1);
    assert.equal(trades.length, 1, "the round trip is one stored trade");
    assert.equal((await status(second)).position, null, "flat again");
    const sent = okx.orderLog.map((o) => o.clOrdId);
    assert.equal(new Set(sent).size, sent.length, "no client id sent twice");
  } finally {
    for (const c of children) {
      try {
        c.child.kill("SIGTERM");
      } catch { /* already gone */ }
      await c.child.status;
      await c.stop();
      output.push(c.stdout(), c.stderr());
    }
    await ws.close();
    await rest.close();
  }
  // 6. The keys never reach the logs.
  for (const text of output) assertNoSecrets(text, KEYS);
});
