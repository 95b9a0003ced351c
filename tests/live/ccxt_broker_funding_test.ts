// CcxtBroker books the funding of perpetuals through real ccxt binanceusdm against the fake:
// payments on open positions, trades that carry them, the journal, restarts, the poll rate.

import assert from "node:assert/strict";
import type { CcxtBroker } from "../../src/live/ccxt_broker.ts";
import { type FuturesSetup, futuresSetup } from "./futures_support.ts";
import { bar, T0 } from "./broker_support.ts";
import { Db } from "../../src/store/db.ts";
import { DuckOrderJournal } from "../../src/store/order_journal_store.ts";
import { tempDir } from "../support.ts";
import { findExchangeInfo } from "../../src/exchange/exchanges.ts";
import { type FundingDeps, fundingFor } from "../../src/live/funding.ts";

const SYM = "BTC/USDT:USDT";
const MIN = 60_000;
const TAKER = 0.0005;
const near = (a: number, b: number, what: string, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);
const incomeCalls = (s: FuturesSetup) =>
  s.fake.requests.filter((r) => r.path === "/fapi/v1/income").length;

/** Opens `qty` at 40000 (long for buy) with far exits, and polls the fill in. */
async function enter(s: FuturesSetup, b: CcxtBroker, side: "buy" | "sell", qty = 0.05) {
  b.onBar(SYM, bar(T0 - MIN, 40_000));
  const long = side === "buy";
  const res = b.submit({
    clientId: `live-BTC-f-${side}`,
    symbol: SYM,
    side,
    type: "market",
    size: { kind: "qty", qty },
    bracket: long ? { sl: 30_000, tp: 50_000 } : { sl: 50_000, tp: 30_000 },
  }, s.fake.nowMs);
  assert.ok(res.ok, JSON.stringify(res));
  await b.poll();
  assert.equal(b.position(SYM)?.qty, qty);
}

/** Closes the position at `price` a minute later and polls the fill in. */
async function exit(s: FuturesSetup, b: CcxtBroker, price: number) {
  s.fake.nowMs = s.fake.nowMs + MIN;
  s.bn.setPrice(SYM, price);
  b.onBar(SYM, bar(s.fake.nowMs - MIN, price));
  b.closePosition(SYM, price, s.fake.nowMs, "signal");
  await b.poll();
  assert.equal(b.position(SYM), undefined);
}

Deno.test("funding: a long pays; its trade carries the funding and equals the wallet's change", async () => {
  await using s = await futuresSetup({ broker: { fundingPollMs: 0 } });
  const { broker, bn, journal } = s;
  await broker.reconcile({ symbols: [SYM] });
  await broker.poll();
  assert.equal(incomeCalls(s), 0, "no position: no funding call");
  await enter(s, broker, "buy");
  s.fake.nowMs = T0 + 10 * MIN;
  const row = bn.chargeFunding(SYM, 0.0001)!; // 0.05 × 40000 × 0.0001 = 0.2 paid
  assert.equal(row.income, -0.2);
  await broker.poll();
  near(broker.costs().funding, 0.2, "funding paid");
  near(broker.balance(), bn.balance().wallet, "ledger balance = wallet");
  assert.deepEqual(
    (await journal.fundings()).map((f) => [f.exchange, f.symbol, f.id, f.ts, f.amount, f.position]),
    [["binanceusdm", SYM, String(row.tranId), T0 + 10 * MIN, 0.2, true]],
  );
  await broker.poll();
  near(broker.costs().funding, 0.2, "a payment seen again is not booked twice");
  assert.equal((await journal.fundings()).length, 1);

  await exit(s, broker, 41_000);
  const [t] = broker.trades();
  const fees = 0.05 * 40_000 * TAKER + 0.05 * 41_000 * TAKER;
  near(t.funding, 0.2, "the trade's funding");
  near(t.pnl, 0.05 * 1_000 - fees - 0.2, "pnl = gross − fees − funding");
  near(t.pnl, bn.balance().wallet - 10_000, "pnl = the wallet's change");
  near(broker.balance(), bn.balance().wallet, "ledger balance = wallet after the close");
  const calls = incomeCalls(s);
  await broker.poll();
  assert.equal(incomeCalls(s), calls, "flat again: no more funding calls");
  assert.ok(s.logs.some((l) => l.includes("funding booked")));
});

Deno.test("funding: a short receives a positive rate", async () => {
  await using s = await futuresSetup({ leverage: 3, broker: { fundingPollMs: 0 } });
  const { broker, bn } = s;
  await broker.reconcile();
  await enter(s, broker, "sell", 0.02);
  s.fake.nowMs = T0 + 5 * MIN;
  bn.setPrice(SYM, 39_500);
  assert.equal(bn.chargeFunding(SYM, 0.0003)!.income, 0.237); // 0.02 × 39500 × 0.0003
  await broker.poll();
  near(broker.costs().funding, -0.237, "funding received counts negative");
  near(broker.balance(), bn.balance().wallet, "ledger balance = wallet");
  await exit(s, broker, 39_000);
  const [t] = broker.trades();
  near(t.funding, -0.237, "the trade's funding");
  const fees = 0.02 * 40_000 * TAKER + 0.02 * 39_000 * TAKER;
  near(t.pnl, 0.02 * 1_000 - fees + 0.237, "pnl = gross − fees + funding received");
  near(t.pnl, bn.balance().wallet - 10_000, "pnl = the wallet's change");
});

Deno.test("funding: a restart rebuilds it once and books a payment made while away", async () => {
  await using s = await futuresSetup({ broker: { fundingPollMs: 0 } });
  const { broker, bn, journal } = s;
  await broker.reconcile({ symbols: [SYM] });
  await enter(s, broker, "buy");
  s.fake.nowMs = T0 + 10 * MIN;
  bn.chargeFunding(SYM, 0.0001); // 0.2
  await broker.poll();
  await broker.close();

  // while away: one more payment
  s.fake.nowMs = T0 + 20 * MIN;
  bn.setPrice(SYM, 40_500);
  bn.chargeFunding(SYM, 0.0002); // 0.05 × 40500 × 0.0002 = 0.405
  const again = s.restart();
  const report = await again.reconcile({ symbols: [SYM] });
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.positions.map((p) => [p.side, p.qty]), [["long", 0.05]]);
  near(again.balance(), bn.balance().wallet, "ledger balance = wallet after the restart");
  near(again.costs().funding, 0.605, "journaled and missed payments, each once");
  assert.deepEqual((await journal.fundings()).map((f) => f.amount), [0.2, 0.405]);
  await again.poll();
  near(again.costs().funding, 0.605, "not booked again by the next poll");
  await again.close();

  // a third start, with the ledger rebuilt from the whole journal and a fixed budget
  const third = s.restart({ cash: 10_000, ledgerFromJournal: true });
  await third.reconcile({ symbols: [SYM] });
  near(third.costs().funding, 0.605, "rebuilt from the journal alone");
  near(third.balance(), bn.balance().wallet, "budget − fees − funding = wallet");
  assert.equal((await journal.fundings()).length, 2, "nothing journaled twice");
  await exit(s, third, 40_000);
  const [t] = third.trades();
  near(t.funding, 0.605, "the trade carries every payment");
  near(t.pnl, bn.balance().wallet - 10_000, "pnl = the wallet's change");
});

Deno.test("funding: a payment seen only after the close goes to the balance, and stays there", async () => {
  await using s = await futuresSetup({ broker: { fundingPollMs: 3_600_000 } });
  const { broker, bn, journal } = s;
  await broker.reconcile({ symbols: [SYM] });
  await enter(s, broker, "buy");
  assert.equal(incomeCalls(s), 0, "the poll that books the entry checks before its fills");
  await broker.poll();
  const calls = incomeCalls(s);
  assert.equal(calls, 1, "checked once when the position is first seen");
  s.fake.nowMs = T0 + 10 * MIN;
  bn.chargeFunding(SYM, 0.0001); // settled while open, not due to be checked yet
  await broker.poll();
  assert.equal(incomeCalls(s), calls, "not due: no call");
  await exit(s, broker, 40_000);
  assert.equal(incomeCalls(s), calls + 1, "one last check after the close");
  const [t] = broker.trades();
  near(t.funding, 0, "the trade was reported before the payment was seen");
  near(broker.costs().funding, 0.2, "but the balance has it");
  near(broker.balance(), bn.balance().wallet, "ledger balance = wallet");
  assert.deepEqual((await journal.fundings()).map((f) => f.position), [false]);
  await broker.close();
  const again = s.restart({ cash: 10_000, ledgerFromJournal: true });
  await again.reconcile({ symbols: [SYM] });
  near(again.balance(), bn.balance().wallet, "rebuilt balance = wallet");
  near(again.trades()[0].funding, 0, "rebuilt trade as booked live");
});

Deno.test("funding: checked at most every fundingPollMs, and on each new hour", async () => {
  await using s = await futuresSetup({ broker: { fundingPollMs: 5 * MIN } });
  const { broker } = s;
  await broker.reconcile();
  s.fake.nowMs = T0 + 30 * MIN;
  await enter(s, broker, "buy");
  await broker.poll();
  assert.equal(incomeCalls(s), 1, "first seen");
  s.fake.nowMs = T0 + 33 * MIN;
  await broker.poll();
  assert.equal(incomeCalls(s), 1, "3 minutes later: not yet");
  s.fake.nowMs = T0 + 35 * MIN;
  await broker.poll();
  assert.equal(incomeCalls(s), 2, "5 minutes later");
  s.fake.nowMs = T0 + 59 * MIN;
  await broker.poll();
  s.fake.nowMs = T0 + 60 * MIN + 1_000;
  await broker.poll();
  assert.equal(incomeCalls(s), 4, "a new hour: checked though 5 minutes did not pass");
});

Deno.test("funding: with the DuckDB journal, a restart on the reopened file rebuilds it", async () => {
  await using dir = await tempDir();
  await using s = await futuresSetup({ broker: { fundingPollMs: 0 } });
  const { bn } = s;
  const path = `${dir.path}/j.duckdb`;
  let db = await Db.open(path);
  const first = s.restart({ journal: await DuckOrderJournal.open(db) });
  await first.reconcile({ symbols: [SYM] });
  await enter(s, first, "buy");
  s.fake.nowMs = T0 + 10 * MIN;
  bn.chargeFunding(SYM, 0.0001); // 0.2
  await first.poll();
  await first.close();
  await db.close();

  db = await Db.open(path);
  try {
    const journal = await DuckOrderJournal.open(db);
    const again = s.restart({ journal, cash: 10_000, ledgerFromJournal: true });
    await again.reconcile({ symbols: [SYM] });
    near(again.costs().funding, 0.2, "rebuilt from the file");
    near(again.balance(), bn.balance().wallet, "ledger balance = wallet");
    await again.poll();
    assert.equal((await journal.fundings()).length, 1, "not journaled twice");
    near(again.costs().funding, 0.2, "not booked twice");
    await again.close();
  } finally {
    await db.close();
  }
});

Deno.test("funding: only venues whose derivatives row says so are asked", () => {
  assert.equal(findExchangeInfo("binanceusdm")?.derivatives?.funding, true);
  for (const name of ["okx", "bybit", "coinbase"]) {
    const venue = findExchangeInfo(name);
    assert.equal(fundingFor(venue, {} as FundingDeps), undefined, name);
  }
});
