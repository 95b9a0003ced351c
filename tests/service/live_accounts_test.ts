// scopedJournal: what one live bot sees of the shared order journal (its exchange and symbol).

import assert from "node:assert/strict";
import { type JournalFunding, MemoryOrderJournal } from "../../src/core/order_journal.ts";
import { scopedJournal } from "../../src/service/live_accounts.ts";

const pay = (exchange: string, symbol: string, id: string, ts: number): JournalFunding => ({
  exchange,
  symbol,
  id,
  ts,
  amount: 0.5,
  position: true,
});

Deno.test("a bot's journal records funding payments and reads back only its own", async () => {
  const shared = new MemoryOrderJournal();
  const mine = scopedJournal(shared, "binanceusdm", "BTC/USDT:USDT");
  const other = scopedJournal(shared, "binanceusdm", "ETH/USDT:USDT");
  assert.ok(mine.funding && mine.fundings, "funding passes through to a journal that keeps it");
  assert.equal(await mine.funding!(pay("binanceusdm", "BTC/USDT:USDT", "t1", 2)), true);
  assert.equal(await mine.funding!(pay("binanceusdm", "BTC/USDT:USDT", "t1", 2)), false, "once");
  await other.funding!(pay("binanceusdm", "ETH/USDT:USDT", "t2", 1));
  assert.deepEqual((await mine.fundings!()).map((f) => f.id), ["t1"]);
  assert.deepEqual((await other.fundings!()).map((f) => f.id), ["t2"]);
  assert.deepEqual((await shared.fundings()).map((f) => f.id), ["t2", "t1"]);
});
