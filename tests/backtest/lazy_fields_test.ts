// A result's equity curve and decisions, made when first read, look like plain fields everywhere.

import assert from "node:assert/strict";
import { curveColumns, defineLazy, equityCurve } from "../../src/backtest/lazy_fields.ts";
import { backtest } from "../../src/backtest/run.ts";
import { toRunToSave } from "../../src/backtest/stored_run.ts";
import { synthCandles } from "../../src/data/synth.ts";

const TS = new Float64Array([0, 60_000, 120_000]);
const EQ = new Float64Array([10_000, 10_010.5, 9_990.25]);

Deno.test("an equity curve reads, serialises, clones and compares as plain number arrays", () => {
  const curve = equityCurve(TS, EQ);
  assert.equal(JSON.stringify(curve), JSON.stringify({ ts: [...TS], equity: [...EQ] }));
  assert.deepEqual(structuredClone(equityCurve(TS, EQ)), { ts: [...TS], equity: [...EQ] });
  assert.deepEqual(equityCurve(TS, EQ), { ts: [...TS], equity: [...EQ] });
  assert.ok(Array.isArray(curve.equity));
  assert.equal(curve.equity, curve.equity); // made once
  assert.deepEqual(Object.keys(curve), ["ts", "equity"]);
});

Deno.test("curveColumns: the Float64Arrays themselves while unread, the numbers as they are after", () => {
  const fresh = equityCurve(TS, EQ);
  const cols = curveColumns(fresh);
  assert.equal(cols.ts, TS);
  assert.equal(cols.equity, EQ);
  const read = equityCurve(TS, EQ);
  read.equity[1] = 1; // changed by whoever holds the result: stored as changed
  assert.deepEqual([...curveColumns(read).equity], [10_000, 1, 9_990.25]);
  const replaced = equityCurve(TS, EQ);
  replaced.ts = [1, 2, 3];
  assert.deepEqual([...curveColumns(replaced).ts], [1, 2, 3]);
  assert.deepEqual([...curveColumns({ ts: [5], equity: [6] }).equity], [6]);
});

Deno.test("defineLazy: made on the first read only; an assignment first wins", () => {
  let made = 0;
  const o = { x: [] as number[] };
  defineLazy(o, "x", () => (made++, [1, 2]));
  assert.equal(made, 0);
  assert.deepEqual(o.x, [1, 2]);
  assert.deepEqual(o.x, [1, 2]);
  assert.equal(made, 1);
  const p = { x: [] as number[] };
  defineLazy(p, "x", () => (made++, [1, 2]));
  p.x = [3];
  assert.deepEqual(p.x, [3]);
  assert.equal(made, 1);
});

Deno.test("a result's decisions and curve, read late, equal the run's; the stored run has them", async () => {
  const candles = synthCandles({ bars: 3000, seed: 11 });
  const config = {
    strategy: "sma_cross",
    params: { fast_period: 5, slow_period: 20 },
    symbol: "SYN/USDT",
    timeframe: "1m",
  };
  const a = await backtest(config, candles);
  const saved = toRunToSave(a);
  assert.equal(saved.equity.ts.length, 3000);
  assert.deepEqual([...saved.equity.equity], a.equity_curve.equity);
  assert.deepEqual([...saved.equity.ts], [...candles.ts]);
  assert.ok(a.decisions.length > 10);
  assert.equal(saved.decisions.length, a.decisions.length + a.order_refusals.length);
  const b = await backtest(config, candles);
  assert.equal(JSON.stringify(b), JSON.stringify(a));
  assert.deepEqual(structuredClone(b).decisions, JSON.parse(JSON.stringify(a.decisions)));
});
