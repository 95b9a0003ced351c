// The engine: higher timeframes only once closed, strategy failures named, several symbols at once,
// losses watched for the cooldown.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { Engine, StrategyError } from "../../src/engine/engine.ts";
import { SimBroker } from "../../src/sim/sim_broker.ts";
import { higherView } from "../../src/engine/timeframes.ts";
import { RiskGate } from "../../src/risk/gate.ts";
import { makeCandles } from "../support.ts";

const T0 = Date.UTC(2024, 0, 1);

Deno.test("a 1h candle becomes visible on the 1m candle whose close completes it, not before", () => {
  const base = makeCandles(180, T0);
  const h = higherView(base, "1m", "1h");
  assert.equal(h.data.ts.length, 3);
  assert.equal(h.closedIndex(0), -1);
  assert.equal(h.closedIndex(58), -1); // closes at 00:59: the hour is not over
  assert.equal(h.closedIndex(59), 0); // closes at 01:00
  assert.equal(h.closedIndex(119), 1);
  assert.equal(h.closedIndex(179), 2);
  assert.equal(h.data.open[0], base.open[0]);
  assert.equal(h.data.close[0], base.close[59]);
  assert.equal(h.data.high[1], Math.max(...base.high.subarray(60, 120)));
  // The incomplete last hour is never visible.
  const partial = higherView(makeCandles(150, T0), "1m", "1h");
  assert.equal(partial.data.ts.length, 2);
  assert.equal(partial.closedIndex(149), 1);
});

Deno.test("a strategy that throws fails the run with its name and the candle time", () => {
  const broker = new SimBroker({ cash: 1000 });
  const engine = new Engine({
    strategyName: "boom",
    timeframeMs: 60_000,
    broker,
    risk: new RiskGate({}),
    direction: "long",
    takerFee: 0.001,
  });
  const data = makeCandles(10, T0);
  const sym = {
    symbol: "X/USDT",
    data,
    strategy: {
      onCandle: (i: number) => {
        if (i === 5) throw new Error("division by zero");
        return null;
      },
    },
  };
  for (let i = 0; i < 5; i++) engine.step(sym, i);
  assert.throws(() => engine.step(sym, 5), (e: unknown) => {
    assert.ok(e instanceof StrategyError);
    assert.equal(
      e.message,
      'Strategy "boom" failed on X/USDT at the candle of 2024-01-01T00:05:00.000Z: division by zero',
    );
    return true;
  });
});

Deno.test("several symbols share one account and run in time order", async () => {
  const a = synthCandles({ bars: 3000, seed: 1 });
  const b = synthCandles({ bars: 3000, seed: 2, startPrice: 2000 });
  const cfg = {
    strategy: "ema_cross",
    params: { fast_period: 10, slow_period: 40 },
    symbol: "A/USDT",
    timeframe: "1m",
    size: 0.5,
    risk: { maxOpenPositions: 2 },
  };
  const both = await backtest(cfg, { "A/USDT": a, "B/USDT": b });
  const onlyA = await backtest({ ...cfg }, a);
  const symbols = new Set(both.trades.map((t) => t.symbol));
  assert.deepEqual([...symbols].sort(), ["A/USDT", "B/USDT"]);
  assert.equal(both.symbol, "A/USDT,B/USDT");
  assert.equal(both.equity_curve.ts.length, 3000);
  assert.equal(both.candles, 6000);
  // A trades when its own signals say so: every entry of A beside B is one A makes alone (some
  // may be refused or capped when B holds the room in the shared account).
  const solo = new Set(onlyA.trades.map((t) => t.entry_ts));
  const timesA = both.trades.filter((t) => t.symbol === "A/USDT").map((t) => t.entry_ts);
  assert.ok(timesA.length > 0);
  for (const t of timesA) assert.ok(solo.has(t));
  for (let i = 1; i < both.trades.length; i++) {
    assert.ok(both.trades[i].exit_ts >= both.trades[i - 1].exit_ts, "trades close in time order");
  }
});

Deno.test("an order refused at fill time is recorded with its reason", async () => {
  // 10 units minimum: with 1000 cash, equity sizing at a price of 300 gives 3.33 units.
  const { backtest: run } = await import("../../src/backtest/run.ts");
  const { toColumns } = await import("../../src/core/candles.ts");
  const { k } = await import("../support.ts");
  const candles = toColumns([0, 1, 2].map((i) => k(T0 + i * 60_000, 300, 301, 299, 300, 1)));
  const r = await run({
    strategy: "signals",
    params: { signals: [{ ts: T0 + 60_000, side: "long" }] },
    symbol: "X/USDT",
    timeframe: "1m",
    cash: 1000,
    rules: { minQty: 10 },
  }, candles);
  assert.equal(r.trades.length, 0);
  assert.equal(r.open_position, null);
  assert.equal(r.order_refusals.length, 1);
  assert.equal(r.order_refusals[0].ts, T0 + 60_000);
  assert.match(r.order_refusals[0].reason, /minimum/i);
});

Deno.test("a limit entry lapses after its valid candles; an exit signal withdraws a resting entry", async () => {
  const { backtest: run } = await import("../../src/backtest/run.ts");
  const { toColumns } = await import("../../src/core/candles.ts");
  const { k } = await import("../support.ts");
  // Price stays at 100..101: a limit buy at 90 never fills.
  const candles = toColumns(
    Array.from({ length: 12 }, (_, i) => k(T0 + i * 60_000, 100, 101, 99.5, 100, 1)),
  );
  const base = { strategy: "signals", symbol: "X/USDT", timeframe: "1m" };
  const lapsing = await run({
    ...base,
    params: { signals: [{ ts: T0 + 60_000, side: "long", entry: 90, valid_bars: 3 }] },
  }, candles);
  assert.deepEqual(lapsing.decisions.map((d) => [d.ts, d.outcome, d.code]), [
    [T0 + 60_000, "order", "open"],
    [T0 + 4 * 60_000, "cancelled", "entry_expired"], // decided on candle 0, lapses on candle 3
  ]);
  // the expiry names the entry it cancelled by the client id the entry was sent with
  assert.deepEqual(lapsing.decisions[1].orders, lapsing.decisions[0].orders);
  const withdrawn = await run({
    ...base,
    params: {
      signals: [
        { ts: T0 + 60_000, side: "long", entry: 90 },
        { ts: T0 + 5 * 60_000, side: "exit", reason: "setup gone" },
      ],
    },
  }, candles);
  assert.deepEqual(withdrawn.decisions.map((d) => [d.ts, d.outcome, d.code]), [
    [T0 + 60_000, "order", "open"],
    [T0 + 5 * 60_000, "cancelled", "entry_cancelled"],
  ]);
  assert.equal(withdrawn.trades.length, 0);
});

Deno.test("a losing exit starts the cooldown; a winning one does not (the engine watches losses)", () => {
  // prices fall for 20 candles, then rise: the first trade loses, the second wins
  const data = makeCandles(60, T0);
  for (let i = 0; i < 60; i++) {
    const p = i < 20 ? 100 - i : 80 + (i - 20);
    data.open[i] = p;
    data.high[i] = p + 0.5;
    data.low[i] = p - 0.5;
    data.close[i] = p;
  }
  const long = { side: "long", confidence: 1, reason: "in" } as const;
  const out = { side: "exit", confidence: 1, reason: "out" } as const;
  const script: Record<number, typeof long | typeof out> = {
    2: long, // fills at 3's open (97)
    5: out, // fills at 6's open (94): a loss at 6's open time
    7: long, // 1 minute after the loss: refused, cooldown of 10 minutes
    17: long, // 11 minutes after: opens (fills at 18's open, 82)
    30: out, // fills at 31's open (91): a win
    32: long, // right after a win: opens
  };
  const broker = new SimBroker({ cash: 1000 });
  const codes: string[] = [];
  const engine = new Engine({
    strategyName: "cool",
    timeframeMs: 60_000,
    broker,
    risk: new RiskGate({ cooldownMs: 10 * 60_000 }),
    direction: "long",
    takerFee: 0.001,
    onDecision: (d) => codes.push(`${(d.ts - T0) / 60_000}:${d.code}`),
  });
  const sym = { symbol: "X/USDT", data, strategy: { onCandle: (i: number) => script[i] ?? null } };
  engine.track(sym.symbol);
  for (let i = 0; i < data.ts.length; i++) engine.step(sym, i);
  assert.deepEqual(codes, ["3:open", "6:close", "8:cooldown", "18:open", "31:close", "33:open"]);
  assert.ok(broker.trades()[0].pnl < 0 && broker.trades()[1].pnl > 0);
});
