// Stops and targets from the fill: an EMA(50)/RSI(14) entry with a 1 % stop and a 2 % target
// measured from the entry's fill price, through the engine, against an independent restatement
// written here as a plain loop (no engine code), over a year of seeded 1-minute candles.

import assert from "node:assert/strict";
import { z } from "zod";
import { simulate } from "../../src/backtest/run.ts";
import { simSetup } from "../../src/backtest/wiring.ts";
import type { CandleColumns } from "../../src/core/candles.ts";
import {
  defineStrategy,
  directionParam,
  type StrategyDefinition,
} from "../../src/core/strategy.ts";
import type { Trade } from "../../src/core/trading.ts";
import { synthCandles } from "../../src/data/synth.ts";

const FEE = 0.001;
const SIZE = 0.95;
const STEP = 1e-8;
const CASH = 10_000;
const SL_PCT = 1;
const TP_PCT = 2;
const WARMUP = 50;

/** The strategy under test, as a user would write it: stop and target in percent of the fill. */
const emaRsi = defineStrategy({
  name: "ema_rsi_fill_brackets",
  version: "1.0.0",
  description: "Long when close > EMA(50) and RSI(14) crosses up through 50; 1 % stop, 2 % target.",
  params: z.object({ direction: directionParam }),
  warmup: () => WARMUP,
  create(_p, ctx) {
    const close = ctx.base.data.close;
    const ema = ctx.indicator({ kind: "ema", period: 50 }).values;
    const rsi = ctx.indicator({ kind: "rsi", period: 14 }).values;
    return {
      onCandle(i) {
        const c = close[i];
        const e = ema[i];
        const r0 = rsi[i - 1];
        const r1 = rsi[i];
        if (!(c > e && r0 < 50 && r1 > 50)) return null;
        return {
          side: "long",
          confidence: 1,
          slPct: SL_PCT,
          tpPct: TP_PCT,
          reason: "close above EMA50, RSI up through 50",
        };
      },
    };
  },
}) as unknown as StrategyDefinition;

/** EMA seeded with the SMA of the first `n` closes: `(x - prev) * k + prev` after it. */
function ema(close: Float64Array, n: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  const k = 2 / (n + 1);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += close[i];
  out[n - 1] = sum / n;
  for (let i = n; i < close.length; i++) out[i] = (close[i] - out[i - 1]) * k + out[i - 1];
  return out;
}

/** Wilder's RSI seeded with the SMA of the first `n` moves. */
function rsi(close: Float64Array, n: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = close[i] - close[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  const value = () => loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  out[n] = value();
  for (let i = n + 1; i < close.length; i++) {
    const d = close[i] - close[i - 1];
    gain = (gain * (n - 1) + (d > 0 ? d : 0)) / n;
    loss = (loss * (n - 1) + (d < 0 ? -d : 0)) / n;
    out[i] = value();
  }
  return out;
}

/**
 * The rules restated: a signal on the close of candle i buys at the open of i+1, sized
 * `floor(0.95 * cash / (open * (1 + fee)))` to the step; from that candle on, the stop 1 % below
 * the fill and the target 2 % above it are live (at the open when a candle gaps through one,
 * the stop first when both are touched); fee on every fill; no new entry while holding.
 */
function restated(c: CandleColumns): Trade[] {
  const n = c.ts.length;
  const e = ema(c.close, 50);
  const r = rsi(c.close, 14);
  const trades: Trade[] = [];
  let cash = CASH;
  let pending = false;
  let pos: { qty: number; price: number; ts: number; fee: number; sl: number; tp: number } | null =
    null;
  for (let i = 0; i < n; i++) {
    const open = c.open[i];
    if (pending) {
      pending = false;
      const qty = Math.floor(SIZE * cash / (open * (1 + FEE)) / STEP) / 1e8;
      if (qty > 0) {
        const fee = qty * open * FEE;
        cash -= fee;
        pos = {
          qty,
          price: open,
          ts: c.ts[i],
          fee,
          sl: open * (1 - SL_PCT / 100),
          tp: open * (1 + TP_PCT / 100),
        };
      }
    }
    if (pos !== null) {
      let exit = NaN;
      let reason: "sl" | "tp" = "sl";
      if (open <= pos.sl) exit = open;
      else if (open >= pos.tp) [exit, reason] = [open, "tp"];
      else if (c.low[i] <= pos.sl) exit = pos.sl;
      else if (c.high[i] >= pos.tp) [exit, reason] = [pos.tp, "tp"];
      if (exit === exit) {
        const fee = pos.qty * exit * FEE;
        const gross = pos.qty * (exit - pos.price);
        cash += gross - fee;
        trades.push({
          symbol: "SYN/USDT",
          side: "long",
          entry_ts: pos.ts,
          exit_ts: c.ts[i],
          qty: pos.qty,
          entry_price: pos.price,
          exit_price: exit,
          fees: pos.fee + fee,
          funding: 0,
          pnl: gross - pos.fee - fee,
          exit_reason: reason,
        });
        pos = null;
      }
    }
    if (i >= WARMUP && pos === null && c.close[i] > e[i] && r[i - 1] < 50 && r[i] > 50) {
      pending = i + 1 < n;
    }
  }
  return trades;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

Deno.test("stop 1 % and target 2 % from the fill: the engine equals a plain restatement over a year", () => {
  const candles = synthCandles({ bars: 525_600, seed: "fill brackets", startPrice: 2_000 });
  const config = {
    strategy: emaRsi.name,
    symbol: "SYN/USDT",
    timeframe: "1m",
    sizeMode: "equity" as const,
    size: SIZE,
    fee: FEE,
    qtyStep: STEP,
    slippageBps: 0,
  };
  const { broker, risk, leverage, fees } = simSetup(config, ["SYN/USDT"]);
  const params = emaRsi.params.parse({});
  simulate(emaRsi, params, config, [{ symbol: "SYN/USDT", candles }], {
    broker,
    risk,
    leverage,
    takerFee: fees.taker,
  });
  const got = broker.trades();
  const want = restated(candles);
  assert.ok(want.length > 1_000, `the year trades: ${want.length}`);
  assert.ok(want.some((t) => t.exit_reason === "sl") && want.some((t) => t.exit_reason === "tp"));
  for (let k = 0; k < Math.min(got.length, want.length); k++) {
    const g = got[k];
    const w = want[k];
    const what = `trade ${k + 1} of ${want.length}: engine ${JSON.stringify(g)}, restated ${
      JSON.stringify(w)
    }`;
    assert.equal(g.entry_ts, w.entry_ts, what);
    assert.equal(g.exit_ts, w.exit_ts, what);
    assert.equal(g.exit_reason, w.exit_reason, what);
    assert.equal(g.qty, w.qty, what);
    assert.ok(close(g.entry_price, w.entry_price) && close(g.exit_price, w.exit_price), what);
    assert.ok(close(g.fees, w.fees) && close(g.pnl, w.pnl), what);
  }
  assert.equal(got.length, want.length, "as many trades");
});

Deno.test("stop and target from the fill: risk sizing uses the distance, so the loss at the stop is exact", () => {
  const candles = synthCandles({ bars: 60 * 24 * 30, seed: "fill brackets risk", startPrice: 500 });
  const config = {
    strategy: emaRsi.name,
    symbol: "SYN/USDT",
    timeframe: "1m",
    sizeMode: "risk" as const,
    size: 0.01,
    fee: 0,
    slippageBps: 0,
  };
  const { broker, risk, leverage, fees } = simSetup(config, ["SYN/USDT"]);
  const sim = simulate(emaRsi, emaRsi.params.parse({}), config, [
    { symbol: "SYN/USDT", candles },
  ], { broker, risk, leverage, takerFee: fees.taker });
  const stops = broker.trades().filter((t) => t.exit_reason === "sl");
  assert.ok(stops.length > 10, `stopped trades: ${stops.length}`);
  // every entry: the sizing risked 1 % of the equity then; a stop that filled at its level
  // (not gapped through) lost exactly that
  const eq = sim.equity;
  let atTheStop = 0;
  for (const t of stops) {
    const stop = t.entry_price * (1 - SL_PCT / 100);
    if (t.exit_price !== stop) continue; // gapped through: lost more, as it should
    atTheStop++;
    const i = (t.entry_ts - candles.ts[0]) / 60_000;
    const equityBefore = i > 0 ? eq[i - 1] : CASH;
    assert.ok(
      Math.abs(-t.pnl - 0.01 * equityBefore) <= 1e-6 * equityBefore,
      `lost ${-t.pnl}, expected 1 % of ${equityBefore}`,
    );
  }
  assert.ok(atTheStop > 10, `stops filled at their level: ${atTheStop}`);
});
