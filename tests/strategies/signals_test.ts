// signals strategy and SignalFeed: each external signal fires once, on the right candle.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { signalsFeed } from "../../strategies/signals.ts";
import { decided, fromCloses, HOUR, T0 } from "./support.ts";

const closes = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111];
const candles = fromCloses(closes);
const at = (h: number, min = 0) => T0 + h * HOUR + min * 60_000;
const run = (signals: unknown[], direction = "long") =>
  backtest({
    strategy: "signals",
    symbol: "T/USDT",
    timeframe: "1h",
    params: { signals, direction },
  }, candles);

Deno.test("signals: emitted on the first candle closing at or after ts, once each", async () => {
  const r = await run([
    { ts: at(1, 30), side: "long", sl: 95, tp: 200, reason: "TV alert" }, // candle 1 closes 02:00
    { ts: at(5), side: "exit" }, // exactly the close of candle 4 (05:00)
    { ts: at(7, 1), side: "long" }, // candle 7 (closes 08:00)
    { ts: at(11, 59), side: "exit" }, // the last candle, 11:00-12:00
  ]);
  assert.deepEqual(decided(r, candles), [
    [1, "long", "open"],
    [4, "exit", "close"],
    [7, "long", "open"],
    [11, "exit", "close"],
  ]);
  const first = r.decisions[0].signal;
  assert.deepEqual(
    { ...first },
    {
      side: "long",
      sl: 95,
      tp: 200,
      confidence: 1,
      reason: "external long signal of 2024-01-01T01:30:00.000Z: TV alert",
    },
  );
  assert.equal(r.trades.length, 1, "the second exit is still on its way at the end of data");
  const [t] = r.trades;
  assert.deepEqual([t.entry_ts, t.entry_price, t.exit_ts, t.exit_price, t.exit_reason], [
    at(2),
    101, // the open of candle 2 is the close of candle 1
    at(5),
    104,
    "signal",
  ]);
});

Deno.test("signals: several due on one candle, the latest wins; early and late ones", async () => {
  const r = await run([
    { ts: at(9, 40), side: "short" }, // given in any order
    { ts: T0 - 5 * HOUR, side: "long", reason: "before the data" }, // first candle
    { ts: at(3, 10), side: "long", reason: "first" },
    { ts: at(3, 50), side: "exit", reason: "second" },
    { ts: at(3, 20), side: "short", reason: "third in time" },
    { ts: at(12, 1), side: "long", reason: "after the last candle closed" },
  ], "both");
  assert.deepEqual(decided(r, candles), [
    [0, "long", "open"],
    [3, "exit", "close"],
    [9, "short", "open"],
  ]);
  assert.match(
    r.decisions[1].signal.reason,
    /: second \(replaces 2 earlier signals due on this candle\)$/,
  );
});

Deno.test("signals: with no signals, nothing happens", async () => {
  const r = await backtest({ strategy: "signals", symbol: "T/USDT", timeframe: "1h" }, candles);
  assert.deepEqual([r.decisions.length, r.trades.length], [0, 0]);
});

Deno.test("SignalFeed: take releases due signals once; push adds more later (the webhook path)", () => {
  const feed = signalsFeed([{ ts: 50, side: "long" }, { ts: 10, side: "exit" }]);
  assert.equal(feed.take(5), undefined);
  assert.deepEqual(feed.take(10), { signal: { ts: 10, side: "exit" }, superseded: 0 });
  assert.equal(feed.take(10), undefined, "released once");
  feed.push({ ts: 40, side: "short" }, { ts: 60, side: "exit" });
  assert.equal(feed.pending, 3);
  assert.deepEqual(feed.take(55), { signal: { ts: 50, side: "long" }, superseded: 1 });
  assert.deepEqual(feed.take(1e15), { signal: { ts: 60, side: "exit" }, superseded: 0 });
  assert.equal(feed.pending, 0);
});
