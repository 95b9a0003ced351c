// The "unreachable once" rule through the real ccxt feed: a closed loopback port, then a fake
// exchange that drops every request until it comes back. Never the internet.

import assert from "node:assert/strict";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { CcxtFeed } from "../../src/feed/ccxt_feed.ts";
import { FeedNotices } from "../../src/service/feed_notices.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { startFakeExchange } from "../fakes/fake_exchange.ts";
import { startFakeWs } from "../fakes/fake_ws.ts";
import { tempDir } from "../support.ts";

const KEY = { exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" };
const SAFETY_MS = 20_000;

/** A loopback port nothing listens on. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Resolves when `pred` holds for a pushed value; rejects after the safety time. */
class Waiter<T> {
  readonly items: T[] = [];
  #checks: (() => void)[] = [];
  push = (v: T): void => {
    this.items.push(v);
    for (const c of [...this.#checks]) c();
  };
  until(pred: (items: T[]) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), SAFETY_MS);
      const check = () => {
        if (!pred(this.items)) return;
        clearTimeout(timer);
        this.#checks = this.#checks.filter((c) => c !== check);
        resolve();
      };
      this.#checks.push(check);
      check();
    });
  }
}

async function withFeed(
  origins: { rest: string; ws: string },
  fn: (
    o: {
      feed: CcxtFeed;
      notices: FeedNotices;
      lines: Waiter<string>;
      errors: Waiter<string>;
      changes: string[];
    },
  ) => Promise<void>,
): Promise<void> {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/feed.duckdb`);
  const lines = new Waiter<string>();
  const errors = new Waiter<string>();
  const changes: string[] = [];
  const notices = new FeedNotices({
    botsOn: () => 2,
    log: (level, msg, _fields, o) => lines.push(`${level} ${o?.text ?? msg}`),
    onChange: (exchange, reachable) => changes.push(`${exchange} ${reachable}`),
  });
  const feed = new CcxtFeed({
    store: new CandleStore(db),
    exchange: (id) =>
      createExchange(id, {
        pro: true,
        restOrigin: origins.rest,
        wsOrigin: origins.ws,
        rateLimitMs: 1,
      }),
    backoff: { initialMs: 10, maxMs: 40 },
    onError: (e) => {
      errors.push(e.context);
      notices.error(e);
    },
  });
  try {
    await fn({ feed, notices, lines, errors, changes });
  } finally {
    await feed.close();
    await db.close();
  }
}

Deno.test("feed notices: a closed port is told unreachable once, however often the feed retries", async () => {
  const port = closedPort();
  await withFeed(
    { rest: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` },
    async ({ feed, notices, lines, errors, changes }) => {
      const sub = feed.subscribe(KEY, Date.now() - 3_600_000, () => {});
      await errors.until((e) => e.length >= 12, "a dozen failed retries");
      notices.check(feed.health());
      sub.unsubscribe();
      assert.deepEqual(lines.items, [
        "warn okx unreachable; 2 bots wait for data (use --replay to run offline)",
      ]);
      assert.deepEqual(changes, ["okx false"]);
      assert.equal(feed.health()[0]?.reachable ?? false, false);
    },
  );
});

Deno.test("feed notices: an exchange that comes back is told reachable again, once", async () => {
  const rest = await startFakeExchange({ markets: { okx: ["BTC/USDT"] } });
  const ws = await startFakeWs(rest);
  let down = true;
  rest.addHook({ claims: () => down, handle: () => "drop" });
  try {
    await withFeed({ rest: rest.url, ws: ws.url }, async (o) => {
      const { feed, notices, lines, errors, changes } = o;
      const stop = notices.watch(feed, 20);
      try {
        const sub = feed.subscribe(KEY, Date.now() - 3_600_000, () => {});
        await errors.until((e) => e.length >= 6, "failed retries");
        assert.equal(lines.items.length, 1);
        down = false;
        await lines.until((l) => l.length >= 2, "reachable again");
        sub.unsubscribe();
        assert.deepEqual(lines.items, [
          "warn okx unreachable; 2 bots wait for data (use --replay to run offline)",
          "info okx reachable again",
        ]);
        assert.deepEqual(changes, ["okx false", "okx true"]);
      } finally {
        stop();
      }
    });
  } finally {
    await ws.close();
    await rest.close();
  }
});
