// SimBroker fill rules as a table: a few candles, the orders, and every expected fill written out
// (price, qty, fee, time, liquidity, exit reason), in the style of freqtrade's backtest detail tests.

import assert from "node:assert/strict";
import { type Candle, toColumns } from "../../src/core/candles.ts";
import type { OrderRequest } from "../../src/core/trading.ts";
import { SimBroker, type SimBrokerOptions } from "../../src/sim/sim_broker.ts";
import { k } from "../support.ts";

const SYM = "BTC/USDT";
const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2024, 0, 1, 1); // 01:00 UTC: no funding time among the first bars
const t = (i: number) => T0 + i * H;
/** Hourly bar `i`. */
const b = (i: number, o: number, h: number, l: number, c: number): Candle => k(t(i), o, h, l, c, 1);
/** A lower-timeframe candle `min` minutes into bar `i`. */
const sub = (i: number, min: number, o: number, h: number, l: number, c: number): Candle =>
  k(t(i) + min * M, o, h, l, c, 1);

interface Expect {
  /** Index of the bar whose onBar returned the fill. */
  bar: number;
  side: "buy" | "sell";
  price: number;
  qty?: number;
  fee: number;
  liq: "maker" | "taker";
  reason?: string;
  /** Fill time when not the bar's open time (lower candles). */
  ts?: number;
  /** The quantity must be exactly `qty` (not merely within float noise). */
  exact?: boolean;
}

interface Row {
  name: string;
  opts?: Partial<SimBrokerOptions>;
  candles: Candle[];
  /** Orders submitted right after onBar(at), at that bar's time. */
  orders: { at: number; req: Partial<OrderRequest> }[];
  lower?: Record<number, Candle[]>;
  fills: Expect[];
  /** Open orders left at the end, when checked. */
  open?: number;
  /** The position's quantity at the end (0: flat), when checked. */
  position?: number;
}

const buy = (req: Partial<OrderRequest> = {}) => ({
  side: "buy" as const,
  type: "market" as const,
  ...req,
});
const sell = (req: Partial<OrderRequest> = {}) => ({
  side: "sell" as const,
  type: "market" as const,
  ...req,
});
const FLAT = b(0, 100, 101, 99, 100);

const ROWS: Row[] = [
  // 1. market orders: next bar's open, plus slippage against the trader
  {
    name: "1 market buy fills at the next bar's open, taker",
    candles: [FLAT, b(1, 102, 103, 101, 102)],
    orders: [{ at: 0, req: buy() }],
    fills: [{ bar: 1, side: "buy", price: 102, qty: 1, fee: 0.051, liq: "taker" }],
  },
  {
    name: "1 market order submitted on the last bar never fills",
    candles: [FLAT],
    orders: [{ at: 0, req: buy() }],
    fills: [],
  },
  {
    name: "1 market buy with 10 bps slippage fills higher",
    opts: { slippageBps: 10 },
    candles: [FLAT, b(1, 102, 103, 101, 102)],
    orders: [{ at: 0, req: buy() }],
    fills: [{ bar: 1, side: "buy", price: 102.102, fee: 0.051051, liq: "taker" }],
  },
  {
    name: "1 market sell with 10 bps slippage fills lower",
    opts: { slippageBps: 10 },
    candles: [FLAT, b(1, 102, 103, 101, 102)],
    orders: [{ at: 0, req: sell() }],
    fills: [{ bar: 1, side: "sell", price: 101.898, fee: 0.050949, liq: "taker" }],
  },
  // 2. limits: at the limit when touched, at the open on a favourable gap, maker, no slippage
  {
    name: "2 buy limit touched by the low fills at the limit, maker, no slippage",
    opts: { slippageBps: 10 },
    candles: [FLAT, b(1, 101, 102, 99, 100)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99.5 }) }],
    fills: [{ bar: 1, side: "buy", price: 99.5, fee: 0.0199, liq: "maker" }],
  },
  {
    name: "2 buy limit with the bar opening below it fills at the open",
    candles: [FLAT, b(1, 98, 99, 97, 98.5)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99.5 }) }],
    fills: [{ bar: 1, side: "buy", price: 98, fee: 0.0196, liq: "maker" }],
  },
  {
    name: "2 sell limit touched by the high fills at the limit",
    candles: [FLAT, b(1, 100, 102, 99, 101)],
    orders: [{ at: 0, req: sell({ type: "limit", price: 101.5 }) }],
    fills: [{ bar: 1, side: "sell", price: 101.5, fee: 0.0203, liq: "maker" }],
  },
  {
    name: "2 sell limit with the bar opening above it fills at the open",
    candles: [FLAT, b(1, 103, 104, 102, 103)],
    orders: [{ at: 0, req: sell({ type: "limit", price: 101.5 }) }],
    fills: [{ bar: 1, side: "sell", price: 103, fee: 0.0206, liq: "maker" }],
  },
  {
    name: "2 untouched limit rests (GTC) and fills on a later bar",
    candles: [FLAT, b(1, 100, 101, 99.8, 100), b(2, 99.6, 99.9, 99.2, 99.4)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99.5 }) }],
    fills: [{ bar: 2, side: "buy", price: 99.5, fee: 0.0199, liq: "maker" }],
  },
  // 3. stops: at the stop, or the open when gapped through, plus slippage, taker
  {
    name: "3 buy stop touched by the high fills at the stop plus slippage",
    opts: { slippageBps: 10 },
    candles: [FLAT, b(1, 101, 104, 100, 103)],
    orders: [{ at: 0, req: buy({ type: "stop_market", stopPrice: 103 }) }],
    fills: [{ bar: 1, side: "buy", price: 103.103, fee: 0.0515515, liq: "taker" }],
  },
  {
    name: "3 sell stop gapped through fills at the open",
    candles: [FLAT, b(1, 93, 94, 92, 93)],
    orders: [{ at: 0, req: sell({ type: "stop_market", stopPrice: 95 }) }],
    fills: [{ bar: 1, side: "sell", price: 93, fee: 0.0465, liq: "taker" }],
  },
  {
    name: "3 stop-limit marketable at its trigger fills there as a taker",
    candles: [FLAT, b(1, 101, 104, 100, 103)],
    orders: [{ at: 0, req: buy({ type: "stop_limit", stopPrice: 103, price: 103.5 }) }],
    fills: [{ bar: 1, side: "buy", price: 103, fee: 0.0515, liq: "taker" }],
  },
  {
    name: "3 stop-limit gapped past its limit rests, and fills when the path comes back",
    candles: [FLAT, b(1, 93, 95, 92, 94)],
    orders: [{ at: 0, req: sell({ type: "stop_limit", stopPrice: 95, price: 94.5 }) }],
    fills: [{ bar: 1, side: "sell", price: 94.5, fee: 0.0189, liq: "maker" }],
  },
  {
    name: "3 stop-limit gapped past its limit fills on a later bar when this one never returns",
    candles: [FLAT, b(1, 93, 94, 92, 93.5), b(2, 94, 95, 93.8, 94.8)],
    orders: [{ at: 0, req: sell({ type: "stop_limit", stopPrice: 95, price: 94.5 }) }],
    fills: [{ bar: 2, side: "sell", price: 94.5, fee: 0.0189, liq: "maker" }],
  },
  // 4. brackets: legs live on the entry's fill bar; OCO
  {
    name: "4 market entry at the open can hit its stop on the same bar",
    candles: [FLAT, b(1, 100, 101, 97, 99)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 1, side: "sell", price: 98, fee: 0.049, liq: "taker", reason: "sl" },
    ],
    open: 0,
  },
  {
    name: "4 market entry at the open can take profit on the same bar",
    candles: [FLAT, b(1, 100, 107, 99.5, 106)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 1, side: "sell", price: 106, fee: 0.0212, liq: "maker", reason: "tp" },
    ],
    open: 0,
  },
  {
    name: "4 stop on a later bar cancels the take-profit (OCO)",
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 99, 100, 97, 98), b(3, 98, 110, 98, 109)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 98, fee: 0.049, liq: "taker", reason: "sl" },
    ],
    open: 0,
  },
  {
    name: "4 limit entry filled inside the bar: stop on the same bar, take-profit not",
    candles: [FLAT, b(1, 100, 104, 96, 100)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99, bracket: { sl: 97, tp: 103 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 99, fee: 0.0198, liq: "maker" },
      { bar: 1, side: "sell", price: 97, fee: 0.0485, liq: "taker", reason: "sl" },
    ],
  },
  {
    name: "4 limit entry filled inside the bar takes profit when the close is beyond the target",
    candles: [FLAT, b(1, 100, 104, 98.5, 103.5)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99, bracket: { sl: 97, tp: 103 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 99, fee: 0.0198, liq: "maker" },
      { bar: 1, side: "sell", price: 103, fee: 0.0206, liq: "maker", reason: "tp" },
    ],
  },
  {
    name: "4 breakout stop entry runs on to its take-profit in the same bar",
    candles: [FLAT, b(1, 100, 106, 98, 104)],
    orders: [{
      at: 0,
      req: buy({ type: "stop_market", stopPrice: 102, bracket: { sl: 99, tp: 105 } }),
    }],
    fills: [
      { bar: 1, side: "buy", price: 102, fee: 0.051, liq: "taker" },
      { bar: 1, side: "sell", price: 105, fee: 0.021, liq: "maker", reason: "tp" },
    ],
  },
  // 5. stop and take-profit in one bar: stop first, unless lower candles decide
  {
    name: "5 stop and take-profit both touched in one bar: the stop fills",
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 107, 97, 101)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 98, fee: 0.049, liq: "taker", reason: "sl" },
    ],
  },
  {
    name: "5 lower candles: take-profit reached first wins, at the lower candle's time",
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 107, 97, 101)],
    lower: {
      2: [
        sub(2, 0, 100, 101, 99, 100.5),
        sub(2, 20, 100.5, 107, 100, 106),
        sub(2, 40, 106, 106, 97, 101),
      ],
    },
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      {
        bar: 2,
        side: "sell",
        price: 106,
        fee: 0.0212,
        liq: "maker",
        reason: "tp",
        ts: t(2) + 20 * M,
      },
    ],
  },
  {
    name: "5 lower candles: stop reached first wins",
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 107, 97, 101)],
    lower: { 2: [sub(2, 0, 100, 100.5, 97, 98), sub(2, 30, 98, 107, 98, 101)] },
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 98, fee: 0.049, liq: "taker", reason: "sl" },
    ],
  },
  {
    name: "5 lower candles: both inside one lower candle, the stop fills",
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 107, 97, 101)],
    lower: { 2: [sub(2, 0, 100, 100.5, 99.5, 100), sub(2, 30, 100, 107, 97, 101)] },
    orders: [{ at: 0, req: buy({ bracket: { sl: 98, tp: 106 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      {
        bar: 2,
        side: "sell",
        price: 98,
        fee: 0.049,
        liq: "taker",
        reason: "sl",
        ts: t(2) + 30 * M,
      },
    ],
  },
  // 6. trailing stops: this bar is checked against the level from the best price before it
  {
    name: "6 trailing stop follows the high of earlier bars",
    candles: [FLAT, b(1, 100, 110, 99, 108), b(2, 108, 109, 104, 105)],
    orders: [{ at: 0, req: buy({ bracket: { trailFraction: 0.05 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 104.5, fee: 0.05225, liq: "taker", reason: "trailing" },
    ],
  },
  {
    name: "6 trailing stop: a bar's own high does not raise the stop its low is checked against",
    candles: [FLAT, b(1, 100, 110, 96, 108), b(2, 108, 109, 104, 105)],
    orders: [{ at: 0, req: buy({ bracket: { trailFraction: 0.05 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 104.5, fee: 0.05225, liq: "taker", reason: "trailing" },
    ],
  },
  {
    name: "6 trailing stop never below its bracket sl; hit there it is an sl exit",
    candles: [FLAT, b(1, 100, 101, 96.5, 98)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 97, trailFraction: 0.05 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 1, side: "sell", price: 97, fee: 0.0485, liq: "taker", reason: "sl" },
    ],
  },
  {
    name: "6 standalone reduce-only trailing stop starts from the close at submit",
    candles: [FLAT, b(1, 100, 100, 99, 100), b(2, 100, 105, 100, 104), b(3, 104, 104, 102, 103)],
    orders: [
      { at: 0, req: buy() },
      { at: 1, req: sell({ type: "trailing_stop", trailFraction: 0.02, reduceOnly: true }) },
    ],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 3, side: "sell", price: 102.9, fee: 0.05145, liq: "taker", reason: "trailing" },
    ],
  },
  // 7. time in force
  {
    name: "7 IOC limit not filled on its first bar is cancelled",
    candles: [FLAT, b(1, 100, 101, 99.5, 100), b(2, 99.5, 100, 98, 99)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99, tif: "IOC" }) }],
    fills: [],
    open: 0,
  },
  {
    name: "7 the same order GTC fills on the second bar",
    candles: [FLAT, b(1, 100, 101, 99.5, 100), b(2, 99.5, 100, 98, 99)],
    orders: [{ at: 0, req: buy({ type: "limit", price: 99, tif: "GTC" }) }],
    fills: [{ bar: 2, side: "buy", price: 99, fee: 0.0198, liq: "maker" }],
  },
  // 8. icebergs: one visible slice per bar, each its own fill
  {
    name: "8 market iceberg fills one slice at each open",
    candles: [FLAT, b(1, 100, 101, 99, 101), b(2, 101, 102, 100, 102), b(3, 102, 103, 101, 102)],
    orders: [{ at: 0, req: buy({ size: { kind: "qty", qty: 3 }, visibleQty: 1 }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, qty: 1, fee: 0.05, liq: "taker" },
      { bar: 2, side: "buy", price: 101, qty: 1, fee: 0.0505, liq: "taker" },
      { bar: 3, side: "buy", price: 102, qty: 1, fee: 0.051, liq: "taker" },
    ],
    open: 0,
  },
  {
    name: "8 limit iceberg fills one slice per touching bar",
    candles: [FLAT, b(1, 100, 101, 98, 99), b(2, 99.5, 100, 98.5, 99)],
    orders: [{
      at: 0,
      req: buy({ type: "limit", price: 99, size: { kind: "qty", qty: 2 }, visibleQty: 1 }),
    }],
    fills: [
      { bar: 1, side: "buy", price: 99, qty: 1, fee: 0.0198, liq: "maker" },
      { bar: 2, side: "buy", price: 99, qty: 1, fee: 0.0198, liq: "maker" },
    ],
  },
  // 9. reduce-only is capped at the position
  {
    name: "9 reduce-only sell larger than the long closes just the long",
    candles: [FLAT, b(1, 100, 101, 99, 100.5), b(2, 101, 102, 100, 101)],
    orders: [
      { at: 0, req: buy() },
      { at: 1, req: sell({ size: { kind: "qty", qty: 5 }, reduceOnly: true }) },
    ],
    fills: [
      { bar: 1, side: "buy", price: 100, qty: 1, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 101, qty: 1, fee: 0.0505, liq: "taker", reason: "signal" },
    ],
    open: 0,
  },
  // 10. gaps at the open come first
  {
    name: "10 a bar opening above the take-profit fills it at the open",
    candles: [FLAT, b(1, 100, 101, 99, 100.5), b(2, 106, 107, 105.5, 106.5)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 95, tp: 105 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 106, fee: 0.0212, liq: "maker", reason: "tp" },
    ],
  },
  {
    name: "10 a bar opening below the stop fills it at the open, minus slippage",
    opts: { slippageBps: 10 },
    candles: [FLAT, b(1, 100, 101, 99, 100.5), b(2, 93, 94, 92, 93.5)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 95, tp: 105 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100.1, fee: 0.05005, liq: "taker" },
      { bar: 2, side: "sell", price: 92.907, fee: 0.0464535, liq: "taker", reason: "sl" },
    ],
  },
  // liquidation (isolated, 10x: long at 100 → 90.5, short at 100 → 109.5)
  {
    name: "liquidation of a 10x long at its liquidation price",
    opts: { cash: 1000, leverage: 10 },
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 95, 96, 90, 91)],
    orders: [{ at: 0, req: buy() }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 90.5, fee: 0.04525, liq: "taker", reason: "liquidation" },
    ],
  },
  {
    name: "liquidation of a 10x short at the open when the bar gaps beyond it",
    opts: { cash: 1000, leverage: 10 },
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 111, 112, 110, 111)],
    orders: [{ at: 0, req: sell() }],
    fills: [
      { bar: 1, side: "sell", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "buy", price: 111, fee: 0.0555, liq: "taker", reason: "liquidation" },
    ],
  },
  {
    name: "a stop above the liquidation price is reached first and saves the margin",
    opts: { cash: 1000, leverage: 10 },
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 95, 96, 90, 91)],
    orders: [{ at: 0, req: buy({ bracket: { sl: 92 } }) }],
    fills: [
      { bar: 1, side: "buy", price: 100, fee: 0.05, liq: "taker" },
      { bar: 2, side: "sell", price: 92, fee: 0.046, liq: "taker", reason: "sl" },
    ],
  },
  // quantities: rounded once, closed exactly, no remainder too small to close
  {
    name: "quantity on the step is never rounded again: 9.87164127 at step 1e-8 closes whole",
    opts: { rules: { [SYM]: { tickSize: 0, qtyStep: 1e-8, minQty: 0, minNotional: 0 } } },
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 101, 99, 100)],
    orders: [
      { at: 0, req: buy({ size: { kind: "qty", qty: 9.87164127 } }) },
      { at: 1, req: sell({ size: { kind: "qty", qty: 9.87164127 }, reduceOnly: true }) },
    ],
    fills: [
      {
        bar: 1,
        side: "buy",
        price: 100,
        qty: 9.87164127,
        exact: true,
        fee: 0.4935820635,
        liq: "taker",
      },
      {
        bar: 2,
        side: "sell",
        price: 100,
        qty: 9.87164127,
        exact: true,
        fee: 0.4935820635,
        liq: "taker",
        reason: "signal",
      },
    ],
    position: 0,
  },
  {
    name: "quantity: an exit leaving less than the minimum quantity takes the remainder with it",
    opts: { rules: { [SYM]: { tickSize: 0, qtyStep: 0.001, minQty: 0.01, minNotional: 0 } } },
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 101, 99, 100)],
    orders: [
      { at: 0, req: buy({ size: { kind: "qty", qty: 1 } }) },
      { at: 1, req: sell({ size: { kind: "qty", qty: 0.995 }, reduceOnly: true }) },
    ],
    fills: [
      { bar: 1, side: "buy", price: 100, qty: 1, fee: 0.05, liq: "taker" },
      {
        bar: 2,
        side: "sell",
        price: 100,
        qty: 1,
        exact: true,
        fee: 0.05,
        liq: "taker",
        reason: "signal",
      },
    ],
    position: 0,
  },
  {
    name: "quantity: an exit leaving a whole step and the minimum leaves it open",
    opts: { rules: { [SYM]: { tickSize: 0, qtyStep: 0.001, minQty: 0.001, minNotional: 0 } } },
    candles: [FLAT, b(1, 100, 101, 99, 100), b(2, 100, 101, 99, 100)],
    orders: [
      { at: 0, req: buy({ size: { kind: "qty", qty: 1 } }) },
      { at: 1, req: sell({ size: { kind: "qty", qty: 0.999 }, reduceOnly: true }) },
    ],
    fills: [
      { bar: 1, side: "buy", price: 100, qty: 1, fee: 0.05, liq: "taker" },
      {
        bar: 2,
        side: "sell",
        price: 100,
        qty: 0.999,
        fee: 0.04995,
        liq: "taker",
        reason: "signal",
      },
    ],
    position: 0.001,
  },
];

const near = (a: number, e: number, what: string) =>
  assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${what}: got ${a}, expected ${e}`);

for (const row of ROWS) {
  Deno.test(`fill rule ${row.name}`, () => {
    const broker = new SimBroker({ cash: 100_000, ...row.opts });
    const got: { bar: number; f: ReturnType<SimBroker["fills"]>[number] }[] = [];
    let n = 0;
    for (let i = 0; i < row.candles.length; i++) {
      const lower = row.lower?.[i];
      for (const f of broker.onBar(SYM, row.candles[i], lower && toColumns(lower))) {
        got.push({ bar: i, f });
      }
      for (const o of row.orders.filter((o) => o.at === i)) {
        const req = { clientId: `o${++n}`, symbol: SYM, size: { kind: "qty", qty: 1 }, ...o.req };
        const res = broker.submit(req as OrderRequest, row.candles[i].ts);
        assert.ok(res.ok, `submit refused: ${JSON.stringify(res)}`);
      }
    }
    assert.equal(got.length, row.fills.length, `fills: ${JSON.stringify(got)}`);
    row.fills.forEach((e, j) => {
      const { bar, f } = got[j];
      const w = `fill ${j}`;
      assert.equal(bar, e.bar, `${w} bar`);
      assert.equal(f.side, e.side, `${w} side`);
      near(f.price, e.price, `${w} price`);
      if (e.exact) assert.equal(f.qty, e.qty, `${w} qty (exactly)`);
      else near(f.qty, e.qty ?? 1, `${w} qty`);
      near(f.fee, e.fee, `${w} fee`);
      assert.equal(f.liquidity, e.liq, `${w} liquidity`);
      assert.equal(f.exitReason, e.reason, `${w} exit reason`);
      assert.equal(f.ts, e.ts ?? row.candles[e.bar].ts, `${w} time`);
    });
    if (row.open !== undefined) assert.equal(broker.openOrders().length, row.open, "open orders");
    if (row.position !== undefined) {
      near(broker.position(SYM)?.qty ?? 0, row.position, "position quantity at the end");
    }
  });
}
