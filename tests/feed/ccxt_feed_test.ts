// The live feed through real ccxt pro against the loopback REST and websocket fakes, into DuckDB.

import assert from "node:assert/strict";
import type { Candle, SeriesKey } from "../../src/core/candles.ts";
import { toRows } from "../../src/core/candles.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { CcxtFeed, type CcxtFeedOptions, type FeedError } from "../../src/feed/ccxt_feed.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import type { ClosedCandle } from "../../src/core/feed.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { type FakeExchange, startFakeExchange } from "../fakes/fake_exchange.ts";
import { type FakeWs, startFakeWs } from "../fakes/fake_ws.ts";
import { tempDir } from "../support.ts";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
/** Two seconds into candle 10, which is still open. */
const NOW = T0 + 10 * MIN + 2_000;
const OKX: SeriesKey = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };
const BINANCE: SeriesKey = { exchange: "binanceusdm", symbol: "BTC/USDT:USDT", timeframe: "1m" };
/** Safety net only: a broken feed fails the test instead of hanging it. */
const SAFETY_MS = 120_000;

function candle(i: number, bump = 0): Candle {
  const open = 42000 + i * 1.5;
  return {
    ts: T0 + i * MIN,
    open,
    high: open + 10 + bump,
    low: open - 7,
    close: open + 0.5 + bump,
    volume: 1 + (i % 7) + bump,
  };
}

const at = (i: number) => T0 + i * MIN;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** Collects delivered candles; `until` awaits the delivery of one. */
class Collector {
  readonly got: ClosedCandle[] = [];
  #waiters: (() => void)[] = [];

  /** `step`: the timeframe in ms, for candle numbers (candle i opens at T0 + i * step). */
  constructor(readonly step = MIN) {}

  readonly on = (c: ClosedCandle): void => {
    this.got.push(c);
    for (const w of this.#waiters) w();
  };

  get indexes(): number[] {
    return this.got.map((c) => (c.candle.ts - T0) / this.step);
  }

  /** Resolves once the newest delivered candle is candle `i`. */
  until(i: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.got.at(-1)?.candle.ts !== T0 + i * this.step) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`no candle ${i} within ${SAFETY_MS} ms; got ${this.indexes}`));
      }, SAFETY_MS);
      this.#waiters.push(check);
      check();
    });
  }
}

interface Ctx {
  rest: FakeExchange;
  ws: FakeWs;
  store: CandleStore;
  feed: CcxtFeed;
  errors: FeedError[];
}

async function withFeed(
  fn: (ctx: Ctx) => Promise<void>,
  o: { seed?: number; feed?: Partial<CcxtFeedOptions> } = {},
): Promise<void> {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/feed.duckdb`);
  const store = new CandleStore(db);
  const rest = await startFakeExchange({
    markets: { okx: ["BTC/USDT"], binanceusdm: ["BTC/USDT:USDT"] },
    nowMs: NOW,
  });
  const seeded = range(0, o.seed ?? 10).map((i) => candle(i));
  rest.setCandles("okx", "BTC/USDT", "1m", seeded);
  rest.setCandles("binanceusdm", "BTC/USDT:USDT", "1m", seeded);
  const ws = await startFakeWs(rest);
  const errors: FeedError[] = [];
  const feed = new CcxtFeed({
    store,
    now: () => rest.nowMs,
    exchange: (id) =>
      createExchange(id, { pro: true, restOrigin: rest.url, wsOrigin: ws.url, rateLimitMs: 1 }),
    backoff: { initialMs: 10, maxMs: 50 },
    graceMs: 5_000,
    onError: (e) => errors.push(e),
    ...o.feed,
  });
  try {
    await fn({ rest, ws, store, feed, errors });
  } finally {
    await feed.close();
    await ws.close();
    await rest.close();
    await db.close();
  }
}

Deno.test("two listeners share one subscription and get only closed candles, in order, stored first", async () => {
  await withFeed(async ({ rest, ws, store, feed }) => {
    const a = new Collector();
    const subA = feed.subscribe(OKX, at(4), a.on);
    await a.until(9);
    // Back-filled over REST: everything closed after afterTs; candle 10 is still open.
    assert.deepEqual(a.indexes, range(5, 9));
    assert.ok(a.got.every((c) => c.source === "backfill"));
    assert.deepEqual(a.got.map((c) => c.candle), range(5, 9).map((i) => candle(i)));

    // A second listener from further back is caught up before it sees live candles.
    const b = new Collector();
    const storedFirst: boolean[] = [];
    const subB = feed.subscribe(OKX, at(2), async (c) => {
      const row = await store.read(OKX, { from: c.candle.ts, to: c.candle.ts + 1 });
      storedFirst.push(row.close.length === 1 && row.close[0] === c.candle.close);
      b.on(c);
    });
    await b.until(9);
    assert.deepEqual(b.indexes, range(3, 9));
    assert.equal(ws.subscriptions({ kind: "candles" }).length, 1);
    assert.equal(ws.accepted, 1);

    // Updates of the open candle are not delivered; a later candle closes it.
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(10, 2));
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(10, 3));
    rest.nowMs = at(11) + 1_000;
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(11));
    await Promise.all([a.until(10), b.until(10)]);
    for (const c of [a, b]) {
      const last = c.got.at(-1)!;
      assert.deepEqual([last.candle, last.source, last.key], [candle(10, 3), "ws", OKX]);
    }
    rest.nowMs = at(12) + 1_000;
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(11, 1));
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(12));
    await Promise.all([a.until(11), b.until(11)]);
    assert.deepEqual(a.indexes, range(5, 11));
    assert.deepEqual(b.indexes, range(3, 11));
    assert.deepEqual(a.got.at(-1)!.candle, candle(11, 1));

    assert.deepEqual(storedFirst, b.got.map(() => true), "stored before delivery");
    // Every delivered candle is in the store (the temp DuckDB file), with the delivered values.
    const stored = toRows(await store.read(OKX, { from: at(3) }));
    assert.deepEqual(stored, b.got.map((c) => c.candle));

    // The upstream subscription ends with the last listener.
    subB.unsubscribe();
    assert.equal(ws.subscriptions({ kind: "candles" }).length, 1);
    subA.unsubscribe();
    await ws.until(() => ws.subscriptions({ kind: "candles" }).length === 0, "unsubscribe");
    assert.deepEqual(feed.health(), []);
  });
});

Deno.test("a dropped websocket reconnects and back-fills the missed candles once, in order", async () => {
  await withFeed(async ({ rest, ws, feed, errors }) => {
    const a = new Collector();
    feed.subscribe(OKX, at(7), a.on);
    await a.until(9);
    ws.refuse({ rest: false });
    ws.dropAll();
    await ws.until(() => feed.health()[0]?.reachable === false, "unreachable after the drop");
    // While disconnected the market moves on: 10 to 12 close, 13 opens. Nobody hears it.
    rest.nowMs = at(13) + 1_000;
    for (const i of range(10, 13)) {
      assert.equal(ws.pushCandle("okx", "BTC/USDT", "1m", candle(i)), 0);
    }
    ws.accept();
    await a.until(12);
    assert.deepEqual(a.indexes, range(8, 12));
    assert.deepEqual(a.got.slice(2).map((c) => c.source), ["backfill", "backfill", "backfill"]);
    assert.deepEqual(a.got.map((c) => c.candle), range(8, 12).map((i) => candle(i)));
    // Live again: a late update of a delivered candle is dropped; the next one closes 13.
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(12, 5));
    rest.nowMs = at(14) + 1_000;
    ws.pushCandle("okx", "BTC/USDT", "1m", candle(14));
    await a.until(13);
    assert.equal(a.got.at(-1)!.source, "ws");
    assert.deepEqual(a.indexes, range(8, 13));
    const [h] = feed.health();
    assert.deepEqual([h.exchange, h.reachable, h.series, h.error], ["okx", true, 1, undefined]);
    assert.ok(h.reconnects >= 1, `reconnects ${h.reconnects}`);
    assert.equal(h.lastMessageAt, rest.nowMs);
    assert.ok(
      errors.some((e) => /websocket/.test(e.context) && /closing code 1001/.test(e.message)),
    );
  });
});

Deno.test("an exchange unreachable at start is reported, retried, then followed when it returns", async () => {
  await withFeed(async ({ rest, ws, feed, errors }) => {
    rest.nowMs = at(150) + 2_000; // candle 150 just opened
    ws.refuse(); // no websocket, no REST: no network
    const a = new Collector();
    feed.subscribe(OKX, at(-1), a.on);
    // Re-checked whenever the fake refuses a connection or drops a request: on every retry.
    const streamErrors = () => errors.filter((e) => /websocket/.test(e.context)).length;
    await ws.until(() => streamErrors() >= 3 && !!feed.health()[0]?.error, "three retries");
    const [down] = feed.health();
    assert.deepEqual([down.exchange, down.reachable, down.series], ["okx", false, 1]);
    assert.match(down.error!, /NetworkError/);
    assert.equal(down.lastMessageAt, null);
    assert.equal(a.got.length, 0);
    assert.ok(errors.some((e) => /back-fill/.test(e.context)), "REST back-fill retried too");
    ws.accept();
    // 150 candles back-filled over two REST pages (OKX serves at most 100 per call).
    await a.until(149);
    assert.deepEqual(a.indexes, range(0, 149));
    const [up] = feed.health();
    assert.deepEqual([up.reachable, up.error], [true, undefined]);
    assert.equal(up.lastMessageAt, rest.nowMs);
    const pages = rest.requests.filter((r) => r.path.includes("candles") && r.status === 200);
    assert.ok(pages.length >= 2, `candle pages ${pages.length}`);
  }, { seed: 151 });
});

Deno.test("close() while the exchange is unreachable stops every retry and timer", async () => {
  await withFeed(async ({ ws, feed, errors }) => {
    ws.refuse();
    feed.subscribe(OKX, at(5), () => assert.fail("nothing can be delivered"));
    feed.watchTicker("okx", "BTC/USDT", () => assert.fail("no ticker either"));
    await ws.until(() => errors.length >= 4, "retries");
    await feed.close();
    const seen = errors.length;
    assert.throws(() => feed.subscribe(OKX, at(5), () => {}), ConfigError);
    assert.equal(errors.length, seen);
    // The sanitizers fail this test if a socket, fetch or timer outlived close().
  });
});

Deno.test("a quiet market still advances: REST fetches the candle once the grace period passed", async () => {
  await withFeed(async ({ rest, feed }) => {
    const a = new Collector();
    feed.subscribe(OKX, at(6), a.on);
    await a.until(9);
    // Candle 10 closes but the stream never shows a later one.
    rest.addCandles("okx", "BTC/USDT", "1m", [candle(10, 4)]);
    rest.nowMs = at(11) + 1_500;
    await a.until(10);
    assert.deepEqual(a.indexes, range(7, 10));
    assert.deepEqual([a.got.at(-1)!.candle, a.got.at(-1)!.source], [candle(10, 4), "backfill"]);
  }, { seed: 9, feed: { graceMs: 1_000, clockCheckMs: 5 } });
});

Deno.test("okx daily bars (Hong Kong time on the websocket) follow REST alone", async () => {
  await withFeed(async ({ rest, ws, feed }) => {
    const day = (i: number) => ({ ...candle(i), ts: T0 + i * DAY });
    rest.setCandles("okx", "BTC/USDT", "1d", range(0, 5).map(day));
    rest.nowMs = T0 + 5 * DAY + 10_000;
    const a = new Collector(DAY);
    feed.subscribe({ ...OKX, timeframe: "1d" }, T0 + DAY, a.on);
    await a.until(4);
    rest.nowMs = T0 + 6 * DAY + 2_000; // day 5 closed; the timer notices after the grace period
    await a.until(5);
    assert.deepEqual(a.indexes, [2, 3, 4, 5]);
    assert.equal(ws.accepted, 0);
    const [h] = feed.health();
    assert.deepEqual([h.reachable, h.series, h.lastMessageAt], [true, 1, null]);
  }, { feed: { graceMs: 1_000, clockCheckMs: 5 } });
});

Deno.test("binanceusdm: back-fill, then klines closed over the stream", async () => {
  await withFeed(async ({ rest, ws, feed }) => {
    const a = new Collector();
    feed.subscribe({ ...BINANCE, exchange: "binance" }, at(7), a.on);
    await a.until(9);
    assert.deepEqual(ws.subscriptions({ kind: "candles" }).map((s) => [s.path, s.channel]), [
      ["/market/ws/0", "btcusdt@kline_1m"],
    ]);
    rest.nowMs = at(11) + 1_000;
    ws.pushCandle("binanceusdm", "BTC/USDT:USDT", "1m", candle(10, 1), { closed: true });
    ws.pushCandle("binanceusdm", "BTC/USDT:USDT", "1m", candle(11));
    await a.until(10);
    assert.deepEqual(a.indexes, range(8, 10));
    assert.deepEqual([a.got.at(-1)!.candle, a.got.at(-1)!.key], [candle(10, 1), BINANCE]);
  });
});

Deno.test("tickers: one upstream subscription per market, latest kept", async () => {
  await withFeed(async ({ ws, feed }) => {
    const seen: number[][] = [[], []];
    let heard: () => void = () => {};
    const bothHeard = new Promise<void>((resolve) => (heard = resolve));
    const subs = [0, 1].map((k) =>
      feed.watchTicker("okx", "BTC/USDT", (t) => {
        seen[k].push(t.last);
        if (seen[0].length > 0 && seen[1].length > 0) heard();
      })
    );
    await ws.until(() => ws.subscriptions({ kind: "ticker" }).length === 1, "ticker subscription");
    ws.pushTicker("okx", "BTC/USDT", { last: 42100.5, bid: 42100, ask: 42101, volume: 7 });
    await deadline(bothHeard, "both ticker listeners");
    assert.deepEqual(seen, [[42100.5], [42100.5]]);
    const latest = feed.ticker("okx", "BTC/USDT")!;
    assert.deepEqual(
      [latest.symbol, latest.last, latest.bid, latest.ask, latest.baseVolume, latest.receivedAt],
      ["BTC/USDT", 42100.5, 42100, 42101, 7, NOW],
    );
    assert.equal(ws.subscriptions({ kind: "ticker" }).length, 1);
    for (const s of subs) s.unsubscribe();
    await ws.until(() => ws.subscriptions({ kind: "ticker" }).length === 0, "ticker unsubscribe");
    assert.equal(feed.ticker("okx", "BTC/USDT"), undefined);
  });
});

/** Settles like `p`, or fails after the safety timeout. */
async function deadline<T>(p: Promise<T>, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: nothing within ${SAFETY_MS} ms`)),
      SAFETY_MS,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
