// smc: swings known only swing_len bars later, BOS, a limit entry at the gap, stop and 3R target.

import assert from "node:assert/strict";
import { backtest } from "../../src/backtest/run.ts";
import { allocColumns, type CandleColumns } from "../../src/core/candles.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { StructureTracker } from "../../src/strategy/swings.ts";
import { fairValueGap, orderBlock } from "../../src/strategy/zones.ts";
import { checkExits, decided, HOUR, T0 } from "./support.ts";

/** Candles from [open, high, low, close] rows, hourly from T0, volume 1. */
function rows(list: [number, number, number, number][]): CandleColumns {
  const c = allocColumns(list.length);
  list.forEach(([o, h, l, cl], i) => {
    c.ts[i] = T0 + i * HOUR;
    c.open[i] = o;
    c.high[i] = h;
    c.low[i] = l;
    c.close[i] = cl;
    c.volume[i] = 1;
  });
  return c;
}

// swing high at 2 (105), known on 3; swing low at 4 (98), known on 5; bar 7 closes above 105
// (bullish BOS) and leaves a gap over bar 5: low[7] 103.8 > high[5] 102.
const SETUP: [number, number, number, number][] = [
  [100, 101, 99, 100],
  [100, 103, 100, 102],
  [102, 105, 101, 104],
  [104, 104.5, 100, 101],
  [101, 101.5, 98, 99],
  [99, 102, 99.5, 101.5],
  [101.5, 104, 101, 103.5],
  [103.5, 107, 103.8, 106.5],
  [106.5, 107.5, 103.5, 104], // back into the gap: the limit at 103.8 fills
  [104, 110, 103.9, 109.5],
  [109.5, 116, 109, 115.5],
  [115.5, 122, 115, 121.8], // through the target
];

Deno.test("StructureTracker: a swing at k is known on k + swing_len, not before", () => {
  const d = rows(SETUP);
  const s = new StructureTracker(1);
  s.advanceTo(d, 2);
  assert.equal(s.highIndex, -1, "bar 2 is the high, but bar 3 has not closed");
  s.advanceTo(d, 3);
  assert.deepEqual([s.highIndex, s.highPrice], [2, 105]);
  s.advanceTo(d, 4);
  assert.equal(s.lowIndex, -1);
  s.advanceTo(d, 6);
  assert.deepEqual([s.lowIndex, s.lowPrice, s.bullBreakAt], [4, 98, -1]);
  s.advanceTo(d, 7);
  assert.deepEqual([s.bullBreakAt, s.brokenHigh], [7, 105]);
  s.advanceTo(d, 11);
  assert.equal(s.bullBreakAt, 7, "a swing is broken once");
  const late = new StructureTracker(2);
  late.advanceTo(d, 3);
  assert.equal(late.highIndex, -1, "with swing_len 2 the high at 2 needs bars 3 and 4");
});

Deno.test("zones: unmitigated fair-value gap and order block", () => {
  const d = rows(SETUP);
  assert.deepEqual(fairValueGap(d, 4, 7, 1), { kind: "fvg", index: 7, entry: 103.8, far: 102 });
  assert.equal(fairValueGap(d, 4, 8, 1), undefined, "bar 8 traded back into it");
  assert.deepEqual(orderBlock(d, 4, 7, 1), { kind: "ob", index: 4, entry: 101.5, far: 98 });
});

Deno.test("smc: BOS, limit at the gap, stop under the swing low, target at 3R (hand-made)", async () => {
  const candles = rows(SETUP);
  const r = await backtest({
    strategy: "smc",
    symbol: "T/USDT",
    timeframe: "1h",
    params: { swing_len: 1, sl_buffer_pct: 0.1, rr: 3 },
  }, candles);
  assert.deepEqual(decided(r, candles), [[7, "long", "open"]]);
  const s = r.decisions[0].signal;
  const sl = 98 * 0.999;
  assert.equal(s.entry, 103.8);
  assert.ok(Math.abs(s.sl! - sl) < 1e-9);
  assert.ok(Math.abs(s.tp! - (103.8 + 3 * (103.8 - sl))) < 1e-9);
  assert.match(
    s.reason,
    /^bullish BOS: close 106\.5 above swing high 105; fair-value gap 102\.\.103\.8 \(formed on the break candle\), limit at 103\.8; stop 97\.902 beyond swing low 98; target 121\.494 at 3R$/,
  );
  assert.equal(r.trades.length, 1);
  const [t] = r.trades;
  assert.deepEqual([t.entry_ts, t.entry_price, t.exit_ts, t.exit_reason], [
    T0 + 8 * HOUR,
    103.8,
    T0 + 11 * HOUR,
    "tp",
  ]);
  assert.ok(Math.abs(t.exit_price - s.tp!) < 1e-9);
});

Deno.test("smc: synthetic 1h seed 1 trades, limits fill at their price, exits make sense", async () => {
  const candles = synthCandles({ bars: 3000, seed: 1, timeframe: "1h" });
  for (const params of [{}, { zone: "ob", direction: "both", swing_len: 2, rr: 2 }]) {
    const r = await backtest(
      { strategy: "smc", symbol: "SYN/USDT", timeframe: "1h", params },
      candles,
    );
    assert.ok(r.trades.length >= 10, `trades: ${r.trades.length}`);
    const exits = checkExits(r);
    assert.ok(exits.sl > 0 && exits.tp > 0, JSON.stringify(exits));
    const rr = (params as { rr?: number }).rr ?? 3;
    for (const d of r.decisions.filter((d) => d.code === "open" || d.code === "flip")) {
      const { entry, sl, tp, side } = d.signal;
      const dir = side === "long" ? 1 : -1;
      assert.ok(entry !== undefined && (entry - sl!) * dir > 0, d.signal.reason);
      assert.ok(Math.abs(tp! - (entry + dir * rr * Math.abs(entry - sl!))) < 1e-6 * entry);
    }
  }
});
