// Walking one candle through a simulated book: market orders at the open, then resting stops,
// limits, trailing stops and liquidation along a pessimistic intrabar price path.
//
// The path through a candle is open → first extreme → second extreme → close. The first extreme
// is the one that hurts: the low for a long (the high for a short); when flat, the extreme AWAY
// from the oldest entry order (the high for a buy), so that its fill is followed by the adverse
// move. Orders fill in the order the path reaches their levels; an order already beyond its level
// where the path stands (a gap at the open) fills there first. On a tie (one price reaching
// several orders), liquidation goes first, then stops, then limits, then by id. So when a stop
// and a take-profit are both inside one candle, the stop fills first.

import { reachPrice, slip } from "./fill_rules.ts";
import type { Book, SimExecution } from "./execution.ts";
import { CLASS_LIMIT, refreshLevel, type SimOrder } from "./orders.ts";

/** The four points of the current candle's path (scratch, reused: no allocation per bar). */
const PATH = new Float64Array(4);

/** Guard against a bug looping forever; no real bar comes near it. */
const MAX_EVENTS = 100_000;

/**
 * Fills the book's market-like orders (market orders, and triggered stop icebergs) at `open`
 * plus slippage, oldest first, one execution (iceberg slice) each.
 */
export function fillAtOpen(ex: SimExecution, b: Book, open: number, ts: number): void {
  for (;;) {
    let o: SimOrder | undefined;
    for (let i = 0; i < b.orders.length; i++) {
      const c = b.orders[i];
      if (c.dir === 0 && c.armedAt < b.bars && c.execAt !== b.bars) {
        o = c;
        break;
      }
    }
    if (o === undefined) return;
    ex.execute(b, o, slip(open, o.side, ex.slippageBps), "taker", ts);
  }
}

/** True when the path visits the low before the high (see the file header). */
function lowFirst(ex: SimExecution, b: Book): boolean {
  const p = ex.pf.position(b.symbol);
  if (p !== undefined) return p.side === "long";
  for (let i = 0; i < b.orders.length; i++) {
    const o = b.orders[i];
    if (!o.reduceOnly && o.armedAt < b.bars) return o.side === "sell";
  }
  return true;
}

/**
 * Walks resting orders and liquidation through one candle (the bar, or one lower-timeframe
 * candle inside it); fills get `ts`. Trailing stops use the level from their best price before
 * this candle, then take in the prices the path visited after they went live.
 */
export function walkCandle(
  ex: SimExecution,
  b: Book,
  open: number,
  high: number,
  low: number,
  close: number,
  ts: number,
): void {
  for (let i = 0; i < b.orders.length; i++) {
    const o = b.orders[i];
    if (o.type === "trailing_stop" && o.best !== o.best) {
      o.best = open;
      refreshLevel(o);
    }
  }
  PATH[0] = open;
  ex.leg = -1;
  walkLeg(ex, b, open, open, ts);
  const lf = lowFirst(ex, b);
  PATH[1] = lf ? low : high;
  PATH[2] = lf ? high : low;
  PATH[3] = close;
  for (let k = 0; k < 3; k++) {
    ex.leg = k;
    walkLeg(ex, b, PATH[k], PATH[k + 1], ts);
  }
  ex.leg = -1;
  updateTrailing(b);
}

/** Fills, in path order, what a move from `from` to `to` reaches (`from === to`: gaps only). */
function walkLeg(ex: SimExecution, b: Book, from: number, to: number, ts: number): void {
  let cur = from;
  for (let n = 0; n < MAX_EVENTS; n++) {
    const pos = ex.pf.position(b.symbol);
    let best: SimOrder | undefined;
    let liq = false;
    let bestD = Infinity;
    let bestCls = 9;
    let at = NaN;
    if (pos !== undefined && pos.liquidationPrice === pos.liquidationPrice) {
      const q = reachPrice(pos.side === "long" ? -1 : 1, pos.liquidationPrice, cur, to);
      if (q === q) {
        liq = true;
        at = q;
        bestD = Math.abs(q - cur);
        bestCls = -1;
      }
    }
    for (let i = 0; i < b.orders.length; i++) {
      const o = b.orders[i];
      if (o.dir === 0 || o.armedAt >= b.bars || o.execAt === b.bars) continue;
      const q = reachPrice(o.dir, o.lvl, cur, to);
      if (q !== q) continue;
      const d = Math.abs(q - cur);
      if (d < bestD || (d === bestD && o.cls < bestCls)) {
        best = o;
        liq = false;
        bestD = d;
        bestCls = o.cls;
        at = q;
      }
    }
    if (liq) ex.closeOut(b, pos!, at, ts, "liquidation");
    else if (best !== undefined) trigger(ex, b, best, at, ts);
    else return;
    cur = at;
  }
  throw new Error(`SimBroker: more than ${MAX_EVENTS} fills in one candle of ${b.symbol}`);
}

/** Acts on an order the path reached at `at`. */
function trigger(ex: SimExecution, b: Book, o: SimOrder, at: number, ts: number): void {
  if (o.cls === CLASS_LIMIT) return ex.execute(b, o, at, "maker", ts);
  o.triggered = true;
  refreshLevel(o);
  b.dirty = true;
  if (o.type === "stop_limit") {
    // now a limit at `price`: it fills at once (crossing, taker) when `at` is within the limit,
    // else it rests and the rest of the path may still reach it (maker)
    if (o.side === "buy" ? at <= o.price : at >= o.price) ex.execute(b, o, at, "taker", ts);
    return;
  }
  ex.execute(b, o, slip(at, o.side, ex.slippageBps), "taker", ts);
}

/** Moves each trailing stop's best price over the path points it saw live, then resets legs. */
function updateTrailing(b: Book): void {
  for (let i = 0; i < b.orders.length; i++) {
    const o = b.orders[i];
    if (o.type === "trailing_stop" && !o.triggered) {
      let e = o.best;
      for (let k = o.activeLeg + 1; k < 4; k++) {
        const p = PATH[k];
        if (o.side === "sell" ? p > e : p < e) e = p;
      }
      if (e !== o.best) {
        o.best = e;
        refreshLevel(o);
        b.dirty = true;
      }
    }
    o.activeLeg = -1;
  }
}
