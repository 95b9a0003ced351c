// Tests for the in-memory order journal: statuses, duplicates, idempotent writes, copies.

import assert from "node:assert/strict";
import { InputError } from "../../src/core/errors.ts";
import { exchangeClientId, looksLikeOurs } from "../../src/live/client_order_id.ts";
import { MemoryOrderJournal, type OrderIntent } from "../../src/core/order_journal.ts";

const T = Date.UTC(2025, 0, 1);

function intent(clientId: string): OrderIntent {
  return {
    clientId,
    exchangeClientId: exchangeClientId(clientId),
    exchange: "okx",
    symbol: "BTC/USDT",
    side: "buy",
    type: "limit",
    qty: 0.01,
    price: 40_000,
    reduceOnly: false,
    role: "order",
    algo: false,
    bracket: { sl: 39_000 },
    ts: T,
  };
}

const fill = (tradeId: string, qty: number) => ({
  tradeId,
  qty,
  price: 40_000,
  fee: 0.4,
  feeQty: 0.00001,
  liquidity: "maker" as const,
  ts: T + 1,
});

Deno.test("an order moves intent → acked → filled, fills once per trade id", async () => {
  const j = new MemoryOrderJournal();
  await j.intent(intent("a"));
  assert.deepEqual((await j.unfinished()).map((e) => [e.clientId, e.status]), [["a", "intent"]]);
  await j.ack("a", "600", T + 1);
  await j.ack("a", "600", T + 2);
  await j.fill("a", fill("t1", 0.004));
  await j.fill("a", fill("t1", 0.004));
  await j.fill("a", fill("t2", 0.006));
  await j.filled("a", T + 3);
  await j.cancelled("a", T + 4); // final: no change
  const e = (await j.byClientId("a"))!;
  assert.deepEqual([e.status, e.exchangeOrderId, e.fills.length, e.updatedTs], [
    "filled",
    "600",
    2,
    T + 3,
  ]);
  assert.deepEqual(await j.unfinished(), []);
  assert.equal((await j.byExchangeClientId(exchangeClientId("a")))!.clientId, "a");
  e.fills.length = 0;
  assert.equal((await j.byClientId("a"))!.fills.length, 2, "entries are copies");
});

Deno.test("rejected and not_sent keep their reason; unknown ids and duplicates are errors", async () => {
  const j = new MemoryOrderJournal();
  await j.intent(intent("r"));
  await j.intent(intent("n"));
  await j.rejected("r", { code: "insufficient_balance", reason: "no money" }, T);
  await j.notSent("n", "never arrived", T);
  await j.ack("n", "1", T); // not_sent is final
  assert.deepEqual(
    j.all().map((e) => [e.clientId, e.status, e.code, e.reason, e.exchangeOrderId]),
    [
      ["r", "rejected", "insufficient_balance", "no money", undefined],
      ["n", "not_sent", "not_sent", "never arrived", undefined],
    ],
  );
  await assert.rejects(() => j.intent(intent("r")), InputError);
  await assert.rejects(
    () => j.intent({ ...intent("x"), exchangeClientId: exchangeClientId("r") }),
    InputError,
  );
  await assert.rejects(() => j.ack("nope", "1", T), /not in the journal/);
});

Deno.test("exchange client ids: deterministic, short, alphanumeric, distinct", () => {
  const a = exchangeClientId("live-BTC/USDT-1704067200000-open");
  assert.equal(a, exchangeClientId("live-BTC/USDT-1704067200000-open"));
  assert.match(a, /^tw[0-9a-z]{25}$/);
  assert.ok(a.length <= 32);
  assert.ok(looksLikeOurs(a));
  assert.ok(!looksLikeOurs("e847386590ce4dBCc7f2a1b4c4509f82"));
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) seen.add(exchangeClientId(`bot-ETH/USDT-${i}-open`));
  seen.add(exchangeClientId("é"));
  seen.add(exchangeClientId(""));
  assert.equal(seen.size, 20_002);
});
