// The HTTP app through app.request(): health, stored series, candle reads and query errors.

import assert from "node:assert/strict";
import { createApp } from "../../src/http/app.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles } from "../support.ts";

Deno.test("health, series and candles answer from the real store", async () => {
  const db = await Db.open(":memory:");
  try {
    const store = new CandleStore(db);
    const c = makeCandles(30);
    await store.upsert({ exchange: "okx", symbol: "BTC/USDT", timeframe: "1m" }, c);
    const app = createApp({ store, mode: "paper", version: "test" });

    const health = await (await app.request("/api/status/health")).json();
    assert.deepEqual(health, {
      ok: true,
      mode: "paper",
      version: "test",
      database: { ok: true, series: 1 },
      exchanges: [],
      bots: {},
    });

    const series = await (await app.request("/api/candles/series")).json();
    assert.equal(series.series[0].count, 30);

    const q = `exchange=okx&symbol=${encodeURIComponent("BTC/USDT")}&timeframe=1m&from=${
      c.ts[5]
    }&limit=10`;
    const res = await app.request(`/api/candles?${q}`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.count, 10);
    assert.equal(body.truncated, true);
    assert.deepEqual(body.ts, Array.from(c.ts.subarray(5, 15)));
    assert.deepEqual(body.close, Array.from(c.close.subarray(5, 15)));
  } finally {
    await db.close();
  }
});

Deno.test("a bad candle query is a 400 naming the field", async () => {
  const db = await Db.open(":memory:");
  try {
    const app = createApp({ store: new CandleStore(db), mode: "paper", version: "test" });
    const res = await app.request("/api/candles?exchange=okx&symbol=X&timeframe=7q");
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.error, /GET \/api\/candles: timeframe: a timeframe such as 1m/);
  } finally {
    await db.close();
  }
});
