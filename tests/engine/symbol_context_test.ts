// SymbolContext, filled at once (BatchSeries) or candle by candle (StreamSeries): one indicator
// object per spec, undeclared timeframes refused alike, and the same values either way.

import assert from "node:assert/strict";
import { candleAt } from "../../src/core/candles.ts";
import type { IndicatorSpec, Line, Lines } from "../../src/core/strategy.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { BatchSeries } from "../../src/engine/batch_series.ts";
import { StreamSeries } from "../../src/engine/stream_series.ts";
import { SymbolContext } from "../../src/engine/symbol_context.ts";
import { SimBroker } from "../../src/sim/sim_broker.ts";

const candles = synthCandles({ bars: 1200, seed: "symbol context", timeframe: "15m" });
const spec = { symbol: "SYN/USDT", timeframe: "15m", higher: ["1h", "4h"] };

/** Every indicator kind, on the base and on a higher timeframe. */
const SPECS: [IndicatorSpec, string | undefined][] = [
  ...([
    { kind: "sma", period: 9 },
    { kind: "ema", period: 12, source: "high" },
    { kind: "rma", period: 5 },
    { kind: "rsi", period: 14 },
    { kind: "roc", period: 3 },
    { kind: "stdev", period: 20 },
    { kind: "max", period: 10 },
    { kind: "min", period: 10 },
    { kind: "atr", period: 14 },
    { kind: "obv" },
    { kind: "vwap" },
    { kind: "macd", fast: 12, slow: 26, signal: 9 },
    { kind: "bbands", period: 20, k: 2 },
    { kind: "adx", period: 14 },
  ] as IndicatorSpec[]).flatMap((s): [IndicatorSpec, string | undefined][] => [
    [s, undefined],
    [s, "1h"],
  ]),
];

/** The values of a Line or Lines, the first `n` of each, as plain arrays. */
function valuesOf(x: Line | Lines, n: number): Record<string, number[]> {
  const lines: Record<string, Line> = "values" in x ? { line: x as Line } : x as Lines;
  return Object.fromEntries(
    Object.entries(lines).map(([k, l]) => [k, Array.from(l.values.subarray(0, n))]),
  );
}

Deno.test("symbol context: the same values filled at once and candle by candle, however late declared", () => {
  const broker = new SimBroker({ cash: 1000 });
  const batch = new SymbolContext(new BatchSeries(spec, candles), broker);
  const stream = new StreamSeries(spec);
  const live = new SymbolContext(stream, broker);
  const n = candles.ts.length;
  // half declared before the first candle, half after 700 (they catch up)
  const early = SPECS.filter((_, k) => k % 2 === 0).map(([s, tf]) => live.indicator(s, tf));
  for (let i = 0; i < 700; i++) stream.push(candleAt(candles, i));
  const late = SPECS.filter((_, k) => k % 2 === 1).map(([s, tf]) => live.indicator(s, tf));
  for (let i = 700; i < n; i++) stream.push(candleAt(candles, i));
  const kept = [...early, ...late];
  const order = [
    ...SPECS.filter((_, k) => k % 2 === 0),
    ...SPECS.filter((_, k) => k % 2 === 1),
  ];
  order.forEach(([s, tf], k) => {
    const m = tf === undefined ? n : batch.timeframe(tf).data.ts.length;
    assert.deepEqual(valuesOf(kept[k], m), valuesOf(batch.indicator(s, tf), m), `${s.kind} ${tf}`);
  });
  for (const tf of ["15m", "1h", "4h"]) {
    const m = batch.timeframe(tf).data.ts.length;
    assert.deepEqual(
      Array.from(live.timeframe(tf).data.close.subarray(0, m)),
      Array.from(batch.timeframe(tf).data.close),
    );
    for (let i = 0; i < n; i += 7) {
      assert.equal(live.timeframe(tf).closedIndex(i), batch.timeframe(tf).closedIndex(i));
    }
  }
});

Deno.test("symbol context: one object per spec and timeframe, kept methods work, undeclared timeframes refused", () => {
  const broker = new SimBroker({ cash: 1000 });
  for (
    const ctx of [
      new SymbolContext(new BatchSeries(spec, candles), broker),
      new SymbolContext(new StreamSeries(spec), broker),
    ]
  ) {
    const { indicator, timeframe, position } = ctx;
    const sma = indicator({ kind: "sma", period: 9 });
    assert.equal(ctx.indicator({ kind: "sma", period: 9 }), sma);
    assert.equal(ctx.indicator({ kind: "sma", period: 9 }, "15m"), sma);
    assert.notEqual(ctx.indicator({ kind: "sma", period: 9 }, "1h"), sma);
    assert.equal(timeframe("15m"), ctx.base);
    assert.equal(timeframe("4h"), ctx.timeframe("4h"));
    assert.equal(position(), undefined);
    assert.equal(ctx.symbol, "SYN/USDT");
    const undeclared =
      /Timeframe "1d" was not declared by the strategy's timeframes\(\); declared: 15m, 1h, 4h\./;
    assert.throws(() => timeframe("1d"), undeclared);
    assert.throws(() => indicator({ kind: "rsi", period: 14 }, "1d"), undeclared);
  }
});

Deno.test("stream series: a candle not after the previous one is refused", () => {
  const stream = new StreamSeries(spec);
  stream.push(candleAt(candles, 0));
  assert.throws(
    () => stream.push(candleAt(candles, 0)),
    /Candle at \d+ is not after the previous one \(\d+\) on SYN\/USDT 15m\./,
  );
  assert.equal(stream.length, 1);
  assert.equal(stream.lastTs, candles.ts[0]);
});
