// Quantities are rounded to the step once and closed exactly: a property test of the rounding, and
// every built-in strategy over a year of seeded candles leaving no position too small to close.

import assert from "node:assert/strict";
import { type BacktestConfig, simulate } from "../../src/backtest/run.ts";
import { simSetup } from "../../src/backtest/wiring.ts";
import type { Fill, OrderRequest } from "../../src/core/trading.ts";
import { createRng } from "../../src/data/rng.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { floorToStep, onStep, roundToTick } from "../../src/core/order_rules.ts";
import { SimBroker } from "../../src/sim/sim_broker.ts";
import { loadStrategies, parseParams } from "../../src/engine/strategy_registry.ts";
import { k } from "../support.ts";

const STEPS = [1e-8, 1e-6, 1e-5, 1e-4, 0.001, 0.003, 0.01, 0.025, 0.1, 0.25, 0.5, 1, 5, 10];

/** `n` steps written as the exact decimal and read back (what an exchange would report). */
const exact = (n: number, step: number) => {
  const d = Math.max(0, -Math.floor(Math.log10(step)) + 3);
  return Number((n * step).toFixed(Math.min(20, d)));
};

Deno.test("floorToStep: a quantity on the step stays itself, whatever the step (property)", () => {
  const rng = createRng("quantities on the step");
  for (let t = 0; t < 200_000; t++) {
    const step = STEPS[rng.int(0, STEPS.length - 1)];
    // up to 1e11 steps: 1,000 BTC at step 1e-8
    const n = Math.floor(rng.next() * 10 ** rng.int(0, 11));
    const q = exact(n, step);
    const got = floorToStep(q, step);
    if (got !== q) assert.fail(`floorToStep(${q}, ${step}) gave ${got}`);
    assert.ok(onStep(q, step), `${q} is on the step ${step}`);
    // rounded once: rounding again changes nothing
    if (floorToStep(got, step) !== got) assert.fail(`rounding ${got} twice changed it`);
  }
});

Deno.test("floorToStep: off the step it rounds down by less than one step (property)", () => {
  const rng = createRng("quantities off the step");
  for (let t = 0; t < 200_000; t++) {
    const step = STEPS[rng.int(0, STEPS.length - 1)];
    const n = Math.floor(rng.next() * 10 ** rng.int(0, 9));
    const frac = 0.001 + 0.998 * rng.next(); // well inside the step, away from both ends
    const q = (n + frac) * step;
    const got = floorToStep(q, step);
    if (got !== exact(n, step)) {
      assert.fail(`floorToStep(${q}, ${step}) gave ${got}, expected ${exact(n, step)}`);
    }
    assert.ok(got <= q && q - got < step, `${got} is below ${q} by less than ${step}`);
  }
});

Deno.test("roundToTick: a price on the tick stays itself; others go down or up (property)", () => {
  const rng = createRng("prices on the tick");
  for (let t = 0; t < 100_000; t++) {
    const tick = STEPS[rng.int(0, STEPS.length - 1)];
    const n = 1 + Math.floor(rng.next() * 10 ** rng.int(0, 11));
    const p = exact(n, tick);
    if (roundToTick(p, tick, "down") !== p || roundToTick(p, tick, "up") !== p) {
      assert.fail(`roundToTick(${p}, ${tick}) moved a price already on the tick`);
    }
    const off = (n + 0.5) * tick;
    assert.equal(roundToTick(off, tick, "down"), exact(n, tick));
    assert.equal(roundToTick(off, tick, "up"), exact(n + 1, tick));
  }
});

Deno.test("a bought quantity on the step is sold whole: the position closes (property)", () => {
  const rng = createRng("buy then sell the same quantity");
  const SYM = "X/USDT";
  for (let t = 0; t < 2_000; t++) {
    const step = STEPS[rng.int(0, 6)];
    const qty = exact(1 + Math.floor(rng.next() * 10 ** rng.int(1, 9)), step);
    const broker = new SimBroker({
      cash: 1e15,
      rules: { [SYM]: { tickSize: 0, qtyStep: step, minQty: 0, minNotional: 0 } },
    });
    const bar = (i: number) => k(Date.UTC(2024, 0, 1) + i * 60_000, 100, 101, 99, 100, 1);
    const order = (id: string, side: "buy" | "sell", reduceOnly: boolean): OrderRequest => ({
      clientId: id,
      symbol: SYM,
      side,
      type: "market",
      size: { kind: "qty", qty },
      reduceOnly,
    });
    broker.onBar(SYM, bar(0));
    assert.ok(broker.submit(order("in", "buy", false), bar(0).ts).ok);
    broker.onBar(SYM, bar(1));
    assert.equal(broker.position(SYM)?.qty, qty, `bought ${qty} at step ${step}`);
    assert.ok(broker.submit(order("out", "sell", true), bar(1).ts).ok);
    broker.onBar(SYM, bar(2));
    assert.equal(broker.position(SYM), undefined, `sold ${qty} at step ${step}: flat`);
  }
});

/**
 * Walks a run's fills: every fill is on the step, no exit leaves a position smaller than one step
 * (or the minimum), and the positions opened from flat are counted.
 */
function walkFills(fills: readonly Fill[], step: number, minQty: number) {
  let units = 0; // the net position in steps (an integer: every quantity is on the step)
  let opened = 0;
  let entryFills = 0;
  for (const f of fills) {
    assert.ok(onStep(f.qty, step), `fill ${f.clientId}: ${f.qty} is not on the step ${step}`);
    const u = Math.round(f.qty / step) * (f.side === "buy" ? 1 : -1);
    if (f.clientId.endsWith("-open")) entryFills++;
    const before = units;
    units += u;
    if (before === 0 || Math.sign(units) === -Math.sign(before)) opened += units === 0 ? 0 : 1;
    if (f.exitReason !== undefined && units !== 0) {
      const left = Math.abs(units) * step;
      assert.ok(
        left >= minQty,
        `fill ${f.clientId} (${f.exitReason}) left ${left}, below the minimum ${minQty}`,
      );
    }
  }
  return { opened, entryFills, units };
}

const YEAR = 525_600;
const RULES = [
  { qtyStep: 1e-8, minQty: 0 },
  { qtyStep: 0.001, minQty: 0.01 },
];

Deno.test("every built-in strategy over a year: no position below a step survives an exit, trades equal entries", async (t) => {
  const all = await loadStrategies();
  const minute = synthCandles({ bars: YEAR, seed: 2026, startPrice: 1000 });
  const quarter = synthCandles({ bars: YEAR / 15, seed: 2026, timeframe: "15m", startPrice: 1000 });
  for (const [name, def] of all) {
    for (const r of RULES) {
      await t.step(`${name}, step ${r.qtyStep}, minimum ${r.minQty}`, () => {
        const timeframe = name === "rsi_macd_bb" ? "15m" : "1m";
        const candles = timeframe === "15m" ? quarter : minute;
        const config: BacktestConfig = {
          strategy: name,
          symbol: "SYN/USDT",
          timeframe,
          sizeMode: "equity",
          size: 0.95,
          fee: 0.001,
          slippageBps: 0,
          rules: { tickSize: 0, qtyStep: r.qtyStep, minQty: r.minQty, minNotional: 0 },
          closeAtEnd: true,
        };
        const params = parseParams(def, {});
        const { broker, risk, leverage, fees } = simSetup(config, ["SYN/USDT"]);
        simulate(def, params, config, [{ symbol: "SYN/USDT", candles }], {
          broker,
          risk,
          leverage,
          takerFee: fees.taker,
        });
        const fills = broker.fills();
        const walk = walkFills(fills, r.qtyStep, r.qtyStep > r.minQty ? r.qtyStep : r.minQty);
        const trades = broker.trades();
        assert.equal(walk.units, 0, "flat at the end (closeAtEnd)");
        assert.equal(trades.length, walk.opened, "one trade per position opened");
        // strategies that never add to a position: one entry fill per trade
        if (name !== "dca" && name !== "grid") assert.equal(trades.length, walk.entryFills);
        for (const tr of trades) {
          assert.ok(tr.qty >= r.minQty && onStep(tr.qty, r.qtyStep), `trade qty ${tr.qty}`);
        }
      });
    }
  }
});
