// The DuckDB order journal keeps every change across a reopen and refuses a second intent.

import assert from "node:assert/strict";
import { DuckOrderJournal } from "../../src/store/order_journal_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import type { JournalFunding, OrderIntent } from "../../src/core/order_journal.ts";

const intent = (clientId: string, exchangeClientId: string): OrderIntent => ({
  clientId,
  exchangeClientId,
  exchange: "okx",
  symbol: "BTC/USDT",
  side: "buy",
  type: "market",
  qty: 0.01,
  reduceOnly: false,
  role: "order",
  algo: false,
  ts: 1000,
});

Deno.test("journal entries survive a reopen; intents are never written twice", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/j.duckdb`;
  let db = await Db.open(path);
  let j = await DuckOrderJournal.open(db);
  await j.intent(intent("bot-a-1-open", "twA1"));
  await j.intent(intent("bot-a-2-open", "twA2"));
  await j.ack("bot-a-1-open", "OID1", 1100);
  await j.fill("bot-a-1-open", {
    tradeId: "T1",
    qty: 0.01,
    price: 30000,
    fee: 0.3,
    feeQty: 0,
    liquidity: "taker",
    ts: 1200,
  });
  await j.fill("bot-a-1-open", {
    tradeId: "T1",
    qty: 0.01,
    price: 30000,
    fee: 0.3,
    feeQty: 0,
    liquidity: "taker",
    ts: 1200,
  });
  await j.filled("bot-a-1-open", 1200);
  await db.close();

  db = await Db.open(path);
  try {
    j = await DuckOrderJournal.open(db);
    const e = await j.byClientId("bot-a-1-open");
    assert.equal(e?.status, "filled");
    assert.equal(e?.exchangeOrderId, "OID1");
    assert.equal(e?.fills.length, 1, "a fill is recorded once per trade id");
    assert.equal((await j.byExchangeClientId("twA2"))?.clientId, "bot-a-2-open");
    assert.deepEqual((await j.unfinished()).map((x) => x.clientId), ["bot-a-2-open"]);
    await assert.rejects(() => j.intent(intent("bot-a-1-open", "twA9")), /never sent twice/);
    await assert.rejects(() => j.intent(intent("bot-a-3-open", "twA2")), /never sent twice/);
    await j.notSent("bot-a-2-open", "not found at the exchange on start-up", 2000);
    assert.deepEqual(await j.unfinished(), []);
  } finally {
    await db.close();
  }
});

Deno.test("funding payments survive a reopen and are recorded once", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/f.duckdb`;
  const pay = (id: string, ts: number, amount: number, position = true): JournalFunding => ({
    exchange: "binanceusdm",
    symbol: "BTC/USDT:USDT",
    id,
    ts,
    amount,
    position,
  });
  let db = await Db.open(path);
  let j = await DuckOrderJournal.open(db);
  assert.equal(await j.funding(pay("7001", 2000, 0.2)), true);
  assert.equal(await j.funding(pay("7000", 1000, -0.05, false)), true);
  assert.equal(await j.funding(pay("7001", 2000, 0.2)), false, "a known id is not recorded again");
  await db.close();

  db = await Db.open(path);
  try {
    j = await DuckOrderJournal.open(db);
    assert.deepEqual(await j.fundings(), [pay("7000", 1000, -0.05, false), pay("7001", 2000, 0.2)]);
    assert.equal(await j.funding(pay("7001", 2000, 0.2)), false, "still known after the reopen");
    // the same id on another symbol or exchange is another payment
    assert.equal(await j.funding({ ...pay("7001", 2000, 0.1), symbol: "ETH/USDT:USDT" }), true);
    const rows = await db.all("SELECT count(*) AS n FROM live_funding");
    assert.equal(Number(rows[0].n), 3);
  } finally {
    await db.close();
  }
});
