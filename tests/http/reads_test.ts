// API reads never wait for the bots' writes nor hold them up: the served service answers health,
// listings and records while a write holds the database's write connection, and bots trade while
// a read holds the read connection.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { alphaAndBetaTrading, candlesTraded } from "../service/service_support.ts";

const TOKEN = "test-token-0123456789abcdef";
const STORED = `
  SELECT s.exchange, s.symbol, s.timeframe, min(c.ts) AS first, max(c.ts) AS last,
         count(*) AS count
  FROM candles c JOIN series s ON s.id = c.series_id
  GROUP BY ALL ORDER BY s.exchange, s.symbol, s.timeframe`;

/** The replay service with two bots, served on a loopback port. */
async function serve(path: string) {
  const db = await Db.open(path);
  const service = await assemble({
    db,
    entries: await alphaAndBetaTrading(),
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 3000, startTs: REPLAY_START },
    wallNow: Date.now,
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    service.app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    db,
    service,
    get: async (p: string) => {
      const res = await fetch(url + p);
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await server.shutdown();
      await service.close();
      await db.close();
    },
  };
}

/**
 * `p`, or a rejection naming `what` after `ms`: a safety net so that a read stuck behind the held
 * write fails the test instead of hanging it (it did before reads had their own connection).
 */
async function answered<T>(p: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} waited for the held write`)), ms);
  });
  try {
    return await Promise.race([p, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("health, the series listing and a bot's records answer while a bot's write holds the database", async () => {
  await using dir = await tempDir();
  const s = await serve(`${dir.path}/reads.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 20);
    // A bot's write in progress: alpha's equity row inserted, uncommitted, the connection held.
    const held = Promise.withResolvers<void>();
    const entered = Promise.withResolvers<void>();
    const FUTURE = Date.UTC(2100, 0, 1);
    let want: Record<string, unknown>[] = [];
    const write = s.db.transaction(async () => {
      // Nothing can be written while it is held, so the stored extents are these.
      want = (await s.db.all(STORED)).map((r) => ({
        ...r,
        first: Number(r.first),
        last: Number(r.last),
        count: Number(r.count),
      }));
      await s.db.run("INSERT INTO bot_equity VALUES ('alpha', ?, 123.0, 123.0)", [BigInt(FUTURE)]);
      entered.resolve();
      await held.promise;
      throw new Error("rolled back on purpose");
    });
    await entered.promise;
    try {
      assert.equal(want.length, 2);

      const health = await answered(s.get("/api/status/health"), "GET /api/status/health");
      assert.equal(health.status, 200);
      assert.deepEqual(health.body.database, { ok: true, series: 2 });
      assert.deepEqual(health.body.bots, { running: 2 });

      const series = await answered(s.get("/api/candles/series"), "GET /api/candles/series");
      assert.deepEqual(series.body.series, want);

      const bots = await answered(s.get("/api/bots"), "GET /api/bots");
      assert.deepEqual(bots.body.bots.map((b: { bot_id: string }) => b.bot_id), ["alpha", "beta"]);

      const one = await answered(s.get("/api/bots/alpha"), "GET /api/bots/alpha");
      assert.equal(one.status, 200);
      assert.equal(one.body.bot_id, "alpha");
      assert.notEqual(one.body.latest_decision, null);

      const equity = await answered(s.get("/api/bots/alpha/equity?limit=5"), "GET equity");
      assert.equal(equity.status, 200);
      assert.ok(equity.body.equity.length > 0);
      assert.ok(
        equity.body.equity.every((r: { ts: number }) => r.ts < FUTURE),
        "the uncommitted row is not seen",
      );

      const btc = want.find((w) => w.symbol === "BTC/USDT") as { count: number; last: number };
      const candles = await answered(
        s.get("/api/candles?exchange=okx&symbol=BTC/USDT&timeframe=1m&limit=100000"),
        "GET /api/candles",
      );
      assert.equal(candles.body.count, btc.count);
      assert.equal(candles.body.ts.at(-1), btc.last);

      const audit = await answered(s.get("/api/audit"), "GET /api/audit");
      assert.equal(audit.status, 200);
    } finally {
      held.resolve();
      await assert.rejects(write, /rolled back on purpose/);
    }
    const after = await s.get("/api/bots/alpha/equity?limit=1");
    assert.ok(after.body.equity[0].ts < FUTURE, "rolled back: never seen");
  } finally {
    await s.close();
  }
});

Deno.test("bots keep trading while an API read holds the read connection", async () => {
  await using dir = await tempDir();
  const s = await serve(`${dir.path}/reads2.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 5);
    const held = Promise.withResolvers<void>();
    const entered = Promise.withResolvers<void>();
    const read = s.db.reading(async (conn) => {
      await conn.run("SELECT count(*) FROM bot_equity");
      entered.resolve();
      await held.promise;
    });
    await entered.promise;
    try {
      // The bots' candles, records and equity snapshots are written on the write connection.
      const before = (await s.get("/api/bots")).body.bots[0].candles_seen as number;
      // 11 announced: a candle counted before the read may announce after it, as its records
      // are written.
      await candlesTraded(s.service.bus, "alpha", 11);
      const now = (await s.get("/api/bots")).body.bots[0].candles_seen as number;
      assert.ok(now >= before + 10, `alpha advanced from ${before} to ${now}`);
      const [{ n }] = await s.db.all("SELECT count(*) AS n FROM bot_equity WHERE bot_id = 'alpha'");
      assert.ok(Number(n) >= 15, "its snapshots were committed meanwhile");
    } finally {
      held.resolve();
      await read;
    }
  } finally {
    await s.close();
  }
});
